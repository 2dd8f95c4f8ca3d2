"""Discord glue shared by the cogs: replying once, option types and autocomplete, the error tree, log redaction.

(Absolute imports everywhere, so `import discord` inside this package is the discord.py library.)
"""
