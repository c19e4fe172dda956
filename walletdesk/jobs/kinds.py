"""Every job kind's handler, imported so the worker knows them all."""

from walletdesk.cases import sla
from walletdesk.conversations import closing
from walletdesk.email import outbound
from walletdesk.followups import notify

KIND_MODULES = (closing, notify, outbound, sla)
