"""Prometheus metrics, served at /metrics."""

from prometheus_client import Counter, Gauge

MESSAGES = Counter("walletdesk_messages_total", "Messages stored", ["sender_kind"])
SECRETS_REDACTED = Counter("walletdesk_secrets_redacted_total", "Secrets removed by protect")
SOCKETS = Gauge("walletdesk_websockets", "Open WebSockets in this process")
