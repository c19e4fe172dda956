"""Durable time-based work: rows with a due time, run by ``walletdesk worker`` exactly once."""
