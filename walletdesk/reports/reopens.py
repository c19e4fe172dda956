"""Which messages after a resolve reopen a conversation, for the reports: the desk's rule.

A customer's "thanks", "ok" or goodbye alone to a resolved conversation stays in the thread
without reopening it (walletdesk.conversations.actions reads ``only_courtesy``; after the
bot's "solved" the bot answers it and resolves the conversation again). So the reports do not
count it as a reopen either, nor does it break first-contact resolution: after the first
resolve, a conversation is reopened by an agent's public message, a customer's message that
says more than courtesy, or a second resolve (walletdesk.reports.outcome.reopened_ids, the
rollup's ``reopened``; docs/reports.md).

Courtesy is recognised in Python (walletdesk.small_talk, ~30 µs a message); a message longer
than it ever is (``MAX_CHARS``) reopens without being read, so the database sends only the
short ones.
"""

import asyncio
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func

from walletdesk.small_talk import MAX_CHARS, only_courtesy


def customer_words_reopen(text: str) -> bool:
    """Whether a customer's message after the resolve reopens the conversation."""
    return not only_courtesy(text)


def may_be_courtesy(text_column: Any) -> ColumnElement[bool]:
    """The messages whose words must be read to know (longer ones reopen)."""
    return func.length(text_column) <= MAX_CHARS  # type: ignore[no-any-return]


# more short messages than this are read in a thread: a live report over a long period may
# have thousands (the rollup reads a few hundred conversations at a time)
IN_THREAD_FROM = 300


async def reopened_by_words(said: Iterable[tuple[int, str]]) -> set[int]:
    """The conversations among (conversation id, customer's short message after the resolve)
    that one of their messages reopens."""
    said = list(said)

    def read() -> set[int]:
        return {cid for cid, words in said if customer_words_reopen(words)}

    return await asyncio.to_thread(read) if len(said) >= IN_THREAD_FROM else read()
