"""Account verification without a key: a one-time page where the user's wallet signs a NEP-413 message."""
