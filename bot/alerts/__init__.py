"""Alerts: subscriptions, the epoch-aware scheduler and outbox delivery."""
