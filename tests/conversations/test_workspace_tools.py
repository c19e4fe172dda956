"""The workspace's day-one tools as domain actions: snooze (and its wake-ups), bulk actions,
@mentions in notes and notification preferences, with their access rules per role."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from walletdesk.accounts.models import Agent, Role, Team
from walletdesk.accounts.preferences import (
    DEFAULTS,
    notification_preferences,
    update_notification_preferences,
)
from walletdesk.audit.models import AuditEvent
from walletdesk.conversations.actions import (
    InboundMessage,
    receive_message,
    resolve_conversation,
    send_message,
)
from walletdesk.conversations.bulk import (
    BULK_ACTIONS,
    apply_to_conversations,
    bulk_update,
    register_bulk_action,
)
from walletdesk.conversations.listeners import subscribe_workspace_listeners
from walletdesk.conversations.mentions import (
    mark_mentions_read,
    mentioned_agents,
    unread_mentions,
)
from walletdesk.conversations.models import Conversation, NoteMention, Status
from walletdesk.conversations.queries import InboxFilter, InboxView
from walletdesk.conversations.snooze import WAKE_JOB, snooze_conversation, unsnooze_conversation
from walletdesk.conversations.workspace import inbox
from walletdesk.db.base import utcnow
from walletdesk.errors import Forbidden, Invalid, NotFound
from walletdesk.jobs.models import Job, JobStatus
from walletdesk.jobs.runner import claim_due, run_job
from walletdesk.labels.actions import create_label
from walletdesk.labels.queries import conversation_labels


@dataclass
class Desk:
    alice: Agent  # the assignee, team A
    carl: Agent  # Alice's teammate
    olga: Agent  # outsourced, team A
    bob: Agent  # another team's agent
    sue: Agent  # supervisor
    ada: Agent  # admin
    conversation_id: int


@pytest.fixture
async def desk(services, make_team, make_agent) -> Desk:  # type: ignore[no-untyped-def]
    team_a = await make_team("Team A", is_default=True)
    team_b = await make_team("Team B")
    alice = await make_agent("Alice", teams=[team_a], online=True)
    carl = await make_agent("Carl", teams=[team_a])
    olga = await make_agent("Olga", role=Role.outsourced, teams=[team_a])
    bob = await make_agent("Bob", teams=[team_b])
    sue = await make_agent("Sue", role=Role.supervisor)
    ada = await make_agent("Ada", role=Role.admin)
    delivered = await receive_message(services, customer_says("my withdrawal is pending"))
    assert delivered.conversation.assignee_id == alice.id
    return Desk(alice, carl, olga, bob, sue, ada, delivered.conversation.id)


@pytest.fixture
def listeners(services):  # type: ignore[no-untyped-def]
    """The after-commit listeners, as each server process subscribes them."""
    unsubscribe = subscribe_workspace_listeners(services)
    yield
    unsubscribe()


def customer_says(text: str, visitor: str = "visitor-1") -> InboundMessage:
    return InboundMessage(channel="web", external_id=visitor, text=text)


async def row(services, conversation_id: int) -> Conversation:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        return conversation


async def inbox_ids(services, agent: Agent, view: InboxView) -> list[int]:  # type: ignore[no-untyped-def]
    return [r["id"] for r in await inbox(services, agent, InboxFilter(view=view))]


async def run_due_jobs(services) -> int:  # type: ignore[no-untyped-def]
    ran = 0
    for job_id, token in await claim_due(services, 20, 60):
        assert await run_job(services, job_id, token, "test-worker")
        ran += 1
    return ran


async def time_passes(services, conversation_id: int, delta: timedelta) -> None:  # type: ignore[no-untyped-def]
    """Move the stored snooze due time (and its job) ``delta`` into the past."""
    async with services.transaction() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.snooze_due_at is not None
        due = conversation.snooze_due_at - delta
        conversation.snooze_due_at = due
        job = await session.scalar(select(Job).where(Job.kind == WAKE_JOB,
                                                     Job.status == JobStatus.pending))
        assert job is not None
        job.due_at = due
        job.payload = {**job.payload, "due": due.isoformat()}


# --- snooze -------------------------------------------------------------------------------

async def test_snooze_until_a_time_leaves_the_views_and_the_worker_wakes_it(services, bus, desk):
    until = utcnow() + timedelta(hours=2)
    snoozed = await snooze_conversation(services, desk.alice, desk.conversation_id, until=until)

    assert snoozed.snoozed_at is not None and snoozed.snooze_due_at == until
    assert desk.conversation_id not in await inbox_ids(services, desk.alice, InboxView.mine)
    assert desk.conversation_id not in await inbox_ids(services, desk.carl, InboxView.team)
    assert desk.conversation_id not in await inbox_ids(services, desk.sue, InboxView.all)
    assert await inbox_ids(services, desk.alice, InboxView.snoozed) == [desk.conversation_id]
    assert bus.of_type("conversation")[-1]["conversation"]["snoozed"] is True
    assert await run_due_jobs(services) == 0  # not due yet: still snoozed
    assert (await row(services, desk.conversation_id)).snoozed_at is not None

    await time_passes(services, desk.conversation_id, timedelta(hours=2, minutes=1))
    assert await run_due_jobs(services) == 1

    woken = await row(services, desk.conversation_id)
    assert woken.snoozed_at is None and woken.snooze_due_at is None
    assert woken.status == Status.assigned and woken.assignee_id == desk.alice.id
    assert desk.conversation_id in await inbox_ids(services, desk.alice, InboxView.mine)
    notice = bus.of_type("notification")[-1]
    assert notice["kind"] == "snooze_ended" and notice["agent_id"] == desk.alice.id
    async with services.read() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "conversation.snooze" in actions


async def test_a_customer_reply_wakes_a_snoozed_conversation(services, bus, desk, listeners):
    await snooze_conversation(services, desk.alice, desk.conversation_id, until=None)
    assert (await row(services, desk.conversation_id)).snoozed_at is not None

    await receive_message(services, customer_says("any news?"))

    woken = await row(services, desk.conversation_id)
    assert woken.snoozed_at is None
    assert bus.of_type("conversation")[-1]["conversation"]["snoozed"] is False
    assert desk.conversation_id in await inbox_ids(services, desk.alice, InboxView.mine)


async def test_a_reply_wake_cancels_the_timed_wake_up(services, desk, listeners):
    await snooze_conversation(services, desk.alice, desk.conversation_id,
                              until=utcnow() + timedelta(days=1))
    await receive_message(services, customer_says("still waiting"))
    async with services.read() as session:
        job = await session.scalar(select(Job).where(Job.kind == WAKE_JOB))
    assert job is not None and job.status == JobStatus.cancelled


async def test_resolving_ends_the_snooze(services, desk, listeners):
    await snooze_conversation(services, desk.alice, desk.conversation_id, until=None)
    await resolve_conversation(services, desk.alice, desk.conversation_id)
    assert (await row(services, desk.conversation_id)).snoozed_at is None


async def test_unsnooze_brings_it_back_now(services, desk):
    await snooze_conversation(services, desk.alice, desk.conversation_id,
                              until=utcnow() + timedelta(hours=1))
    await unsnooze_conversation(services, desk.alice, desk.conversation_id)
    assert (await row(services, desk.conversation_id)).snoozed_at is None
    async with services.read() as session:
        assert (await session.scalar(select(Job.status).where(Job.kind == WAKE_JOB))) \
            == JobStatus.cancelled


@pytest.mark.parametrize("who, error", [
    ("alice", None), ("sue", None), ("ada", None),
    ("carl", Forbidden), ("olga", Forbidden), ("bob", NotFound),
])
async def test_who_may_snooze(services, desk, who, error):
    actor = getattr(desk, who)
    until = utcnow() + timedelta(hours=1)
    if error is None:
        snoozed = await snooze_conversation(services, actor, desk.conversation_id, until=until)
        assert snoozed.snoozed_at is not None
    else:
        with pytest.raises(error):
            await snooze_conversation(services, actor, desk.conversation_id, until=until)
        assert (await row(services, desk.conversation_id)).snoozed_at is None


async def test_an_outsourced_assignee_may_snooze_their_own(services, desk):
    from walletdesk.conversations.actions import assign_conversation

    await assign_conversation(services, desk.sue, desk.conversation_id, agent_id=desk.olga.id)
    snoozed = await snooze_conversation(services, desk.olga, desk.conversation_id, until=None)
    assert snoozed.snoozed_at is not None


@pytest.mark.parametrize("delta", [timedelta(seconds=-5), timedelta(seconds=10),
                                   timedelta(days=91)])
async def test_snooze_times_out_of_range_are_refused(services, desk, delta):
    with pytest.raises(Invalid):
        await snooze_conversation(services, desk.alice, desk.conversation_id,
                                  until=utcnow() + delta)


async def test_a_resolved_conversation_cannot_be_snoozed(services, desk):
    await resolve_conversation(services, desk.alice, desk.conversation_id)
    with pytest.raises(Invalid):
        await snooze_conversation(services, desk.alice, desk.conversation_id, until=None)


# --- bulk actions -------------------------------------------------------------------------

async def test_bulk_assign_resolve_and_snooze_report_each_conversation(services, desk):
    second = (await receive_message(services, customer_says("card declined", "visitor-2")))
    ids = [desk.conversation_id, second.conversation.id]

    assigned = await bulk_update(services, desk.sue, ids, "assign", {"agent_id": desk.carl.id})
    assert assigned.done == ids and assigned.failed == {}
    assert {(await row(services, i)).assignee_id for i in ids} == {desk.carl.id}

    # Alice no longer owns them: snoozing is refused for each, nothing else breaks
    refused = await bulk_update(services, desk.alice, ids, "snooze", {"until": None})
    assert refused.done == [] and set(refused.failed) == set(ids)

    snoozed = await bulk_update(services, desk.carl, ids, "snooze",
                                {"until": (utcnow() + timedelta(hours=3)).isoformat()})
    assert snoozed.done == ids

    resolved = await bulk_update(services, desk.carl, [*ids, 999_999], "resolve")
    assert resolved.done == ids and resolved.failed == {999_999: "conversation not found"}
    assert {(await row(services, i)).status for i in ids} == {Status.resolved}


async def test_bulk_by_another_teams_agent_changes_nothing(services, desk):
    result = await bulk_update(services, desk.bob, [desk.conversation_id], "resolve")
    assert result.failed == {desk.conversation_id: "conversation not found"}
    assert (await row(services, desk.conversation_id)).status == Status.assigned


async def test_bulk_refuses_unknown_actions_bad_parameters_and_too_many(services, desk):
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, [desk.conversation_id], "delete")
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, [desk.conversation_id], "assign", {"agent_id": "x"})
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, [desk.conversation_id], "snooze",
                          {"until": "tomorrow"})
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, list(range(1, 102)), "resolve")
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, [], "resolve")


async def test_bulk_labels_and_unlabels_what_the_agent_may_see(services, desk):
    second = await receive_message(services, customer_says("where is my USDT", "visitor-2"))
    theirs = await receive_message(services, customer_says("hello", "visitor-3"))
    label = await create_label(services, desk.ada, name="Pending transfer", color="#1a7f37")
    async with services.transaction() as session:  # one of the three is another team's
        moved = await session.get(Conversation, theirs.conversation.id)
        team_b = await session.scalar(select(Team).where(Team.name == "Team B"))
        moved.team_id, moved.assignee_id = team_b.id, desk.bob.id
    ids = [desk.conversation_id, second.conversation.id, theirs.conversation.id]

    result = await bulk_update(services, desk.alice, ids, "label", {"label_id": label.id})
    assert result.done == ids[:2]
    assert set(result.failed) == {theirs.conversation.id}
    async with services.read() as session:
        for conversation_id in ids[:2]:
            assert [lbl.id for lbl in await conversation_labels(session, conversation_id)] \
                == [label.id]
        assert await conversation_labels(session, theirs.conversation.id) == []

    again = await bulk_update(services, desk.alice, ids[:2], "label", {"label_id": label.id})
    assert again.done == ids[:2]  # labelling twice changes nothing
    undone = await bulk_update(services, desk.alice, ids[:2], "unlabel", {"label_id": label.id})
    assert undone.done == ids[:2]
    async with services.read() as session:
        assert await conversation_labels(session, desk.conversation_id) == []
    with pytest.raises(Invalid):
        await bulk_update(services, desk.alice, ids[:2], "label", {"label_id": "x"})
    unknown = await bulk_update(services, desk.alice, ids[:1], "label", {"label_id": 999999})
    assert list(unknown.failed) == ids[:1]


async def test_other_features_plug_their_action_into_bulk(services, desk):
    """The hook the labels feature uses: a named per-conversation action."""
    seen: list[tuple[int, int, str]] = []

    def tag(params):  # type: ignore[no-untyped-def]
        async def run(services, actor, conversation_id):  # type: ignore[no-untyped-def]
            seen.append((actor.id, conversation_id, params["label"]))
        return run

    register_bulk_action("test_tag", tag)
    try:
        result = await bulk_update(services, desk.alice, [desk.conversation_id], "test_tag",
                                   {"label": "vip"})
    finally:
        BULK_ACTIONS.pop("test_tag")
    assert result.done == [desk.conversation_id]
    assert seen == [(desk.alice.id, desk.conversation_id, "vip")]
    direct = await apply_to_conversations(services, desk.alice, [desk.conversation_id] * 2,
                                          resolve_conversation)
    assert direct.done == [desk.conversation_id]  # each conversation once


# --- @mentions --------------------------------------------------------------------------------

def test_mentions_match_whole_display_names_longest_first():
    ann = Agent(id=1, display_name="Ann")
    ann_lee = Agent(id=2, display_name="Ann Lee")
    bo = Agent(id=3, display_name="Bo")
    agents = [ann, ann_lee, bo]
    assert mentioned_agents("@ann lee please check", agents) == [ann_lee]
    assert mentioned_agents("@Ann and @Ann Lee", agents) == [ann_lee, ann]
    assert mentioned_agents("mail bob@example.com, @Bobby", agents) == []
    assert mentioned_agents("no mention here", agents) == []


async def test_a_mention_in_a_note_is_stored_and_announced_to_that_agent(services, bus, desk,
                                                                       listeners):
    await send_message(services, desk.alice, desk.conversation_id,
                       "@Carl can you check the chain? cc @Sue", internal=True)

    notices = bus.of_type("notification")
    assert {(n["agent_id"], n["kind"]) for n in notices} == {(desk.carl.id, "mention"),
                                                             (desk.sue.id, "mention")}
    assert notices[0]["mention"]["by"] == "Alice"
    unread = await unread_mentions(services, desk.carl)
    assert [m["conversation_id"] for m in unread] == [desk.conversation_id]
    assert "check the chain" in unread[0]["excerpt"]

    assert await mark_mentions_read(services, desk.carl, conversation_id=desk.conversation_id) == 1
    assert await unread_mentions(services, desk.carl) == []
    assert len(await unread_mentions(services, desk.sue)) == 1  # only Carl's were marked


async def test_mentions_skip_replies_the_writer_and_agents_who_cannot_see(services, bus, desk,
                                                                       listeners):
    await send_message(services, desk.alice, desk.conversation_id, "@Carl hello", internal=False)
    await send_message(services, desk.alice, desk.conversation_id, "@Alice @Bob look",
                       internal=True)
    # Bob is not told; the writer is, so the mention is not silently lost
    assert [(n["agent_id"], n["kind"], n["mentions_skipped"])
            for n in bus.of_type("notification")] == [(desk.alice.id, "mentions_skipped",
                                                       ["Bob"])]
    async with services.read() as session:
        assert (await session.scalars(select(NoteMention))).all() == []


async def test_a_repeated_event_records_a_mention_once(services, bus, desk, listeners):
    await send_message(services, desk.alice, desk.conversation_id, "@Carl once", internal=True)
    message_event = [e for e in bus.of_type("message") if e["message"]["internal"]][-1]
    await services.bus.publish(message_event)  # as a second server process would see it
    async with services.read() as session:
        assert len((await session.scalars(select(NoteMention))).all()) == 1
    assert len(bus.of_type("notification")) == 1


async def test_mentions_of_a_conversation_no_longer_visible_are_not_listed(services, desk,
                                                                          listeners):
    await send_message(services, desk.alice, desk.conversation_id, "@Carl see this",
                       internal=True)
    async with services.transaction() as session:
        team_b = desk.bob.team_ids[0]
        await session.execute(update(Conversation).where(Conversation.id == desk.conversation_id)
                              .values(team_id=team_b))
    assert await unread_mentions(services, desk.carl) == []


# --- notification preferences -----------------------------------------------------------

async def test_preferences_default_then_saved_per_agent(services, desk):
    assert await notification_preferences(services, desk.alice) == DEFAULTS
    saved = await update_notification_preferences(services, desk.alice,
                                                  {"sound": False, "desktop": True})
    assert saved == {**DEFAULTS, "sound": False, "desktop": True}
    again = await update_notification_preferences(services, desk.alice, {"on_mention": False})
    assert again == {**DEFAULTS, "sound": False, "desktop": True, "on_mention": False}
    assert await notification_preferences(services, desk.carl) == DEFAULTS  # not shared
    with pytest.raises(Invalid):
        await update_notification_preferences(services, desk.alice, {"volume": True})
    with pytest.raises(Invalid):
        await update_notification_preferences(services, desk.alice, {"sound": "yes"})
