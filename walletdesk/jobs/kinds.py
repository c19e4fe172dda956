"""Every job kind's handler, imported so the worker knows them all."""

from walletdesk.conversations import closing  # noqa: F401

__all__: list[str] = []
