"""walletdesk: a self-hosted, AI-first customer service desk for digital wallet operators."""

__version__ = "0.1.0"
