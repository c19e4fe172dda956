"""Notifications that leave the desk: SMS providers (email lives in walletdesk.email)."""
