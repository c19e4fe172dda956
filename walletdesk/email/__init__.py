"""The email channel: walletdesk's SMTP server in, an SMTP relay out, threads kept together."""
