"""A chat batch that lost a race with another transaction (a deadlock, a serialisation
failure) was rolled back: it runs once more, then answers "busy, retry"; a message is
stored once and acknowledged only after its commit (walletdesk.conversations.chat)."""

from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from tests.conversations.test_chat_hot_path import first_message, stored
from walletdesk.conversations.chat import ChatWriter
from walletdesk.db.engine import DatabaseBusy, lost_a_race


def race(sqlstate: str = "40P01") -> DBAPIError:
    return DBAPIError("UPDATE conversations …", None, SimpleNamespace(sqlstate=sqlstate))


def test_only_deadlocks_and_serialisation_failures_are_races():
    assert lost_a_race(race("40P01")) and lost_a_race(race("40001"))
    assert not lost_a_race(race("23505"))  # a unique violation is no race
    assert not lost_a_race(RuntimeError("x"))


async def test_a_batch_that_lost_a_race_runs_again_and_is_stored_once(services, make_team,
                                                                      make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)
    real_commit, calls = writer._commit, []

    async def commit_losing_once(batch: Any, *rest: Any) -> Any:
        calls.append(len(batch))
        if len(calls) == 1:
            raise race()
        return await real_commit(batch, *rest)

    writer._commit = commit_losing_once  # type: ignore[method-assign]
    try:
        delivered = await writer.receive(line, "my transfer is stuck", "c1")
    finally:
        await writer.stop()
    assert delivered is not None and not delivered.duplicate and len(calls) == 2
    rows = await stored(services, line.conversation_id)
    assert [m.text for m in rows].count("my transfer is stuck") == 1
    assert [m.seq for m in rows] == list(range(1, len(rows) + 1))


async def test_a_batch_that_loses_twice_answers_busy_and_nothing_is_stored(services, make_team,
                                                                           make_agent):
    team = await make_team()
    await make_agent("Alice", teams=[team], online=True)
    writer = ChatWriter(services)
    line = await first_message(services, writer)

    async def commit_losing(batch: Any, *rest: Any) -> Any:
        raise race("40001")

    writer._commit = commit_losing  # type: ignore[method-assign]
    try:
        # the socket answers busy (resent, same client_id), shed as a lost race, as the full
        # path's (Services._unavailable): the shed metric's reason
        with pytest.raises(DatabaseBusy, match="^race$"):
            await writer.receive(line, "my transfer is stuck", "c1")
    finally:
        await writer.stop()
    assert "my transfer is stuck" not in [m.text for m in await stored(services,
                                                                         line.conversation_id)]


async def test_a_transaction_that_lost_a_race_answers_busy_and_other_errors_stay(services):
    # the full path (Services.transaction): rolled back, "busy, retry" as for an overload
    with pytest.raises(DatabaseBusy, match="race"):
        async with services.transaction():
            raise race("40P01")
    with pytest.raises(DBAPIError):  # a unique violation is the caller's to handle
        async with services.transaction():
            raise race("23505")
