"""Privacy as a whole (issue 11 §4), generic over the schema: every text, JSON and binary
column of every table is classified in walletdesk.customers.data_map; a unique marker is
planted in every personal column of every row that is the customer's (and in a file);
export must hold every marker, and after erasure no marker may be left in any table, in
the blob directory or in the logs. Both engines."""

import base64
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, LargeBinary, String, Text, TypeDecorator, select, update

from walletdesk.audit.actions import record_audit
from walletdesk.bot.models import BotTurn
from walletdesk.cases.models import Survey
from walletdesk.chains.models import ChainLookup
from walletdesk.complaints.models import Complaint, ComplaintEvent
from walletdesk.conversations.actions import InboundMessage, receive_message, send_message
from walletdesk.conversations.attachments import AttachmentIn
from walletdesk.customer_context.device import (
    DEVICE_FIELDS,
    parse_device_context,
    record_device_context,
)
from walletdesk.customers.data_map import COLUMNS, customer_rows, personal_columns
from walletdesk.customers.models import EmailCode
from walletdesk.customers.privacy import erase_customer, export_customer
from walletdesk.followups.models import FollowUp, FollowUpProgramme
from walletdesk.logging import configure_logging
from walletdesk.models import Base

TEXT_TYPES = (String, Text, JSON, LargeBinary)


def _holds_text(column: Any) -> bool:
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl if not isinstance(kind.impl, type) else kind.impl()
    return isinstance(kind, TEXT_TYPES)


def test_every_text_column_is_classified():
    """A new text column must be declared personal or not in data_map.COLUMNS."""
    missing, stale = [], []
    for table in Base.metadata.sorted_tables:
        declared = COLUMNS.get(table.name, {})
        for column in table.columns:
            if _holds_text(column) and column.name not in declared:
                missing.append(f"{table.name}.{column.name}")
        stale += [f"{table.name}.{name}" for name in declared if name not in table.columns]
    stale += [name for name in COLUMNS if name not in Base.metadata.tables]
    assert missing == [], f"classify these columns in walletdesk/customers/data_map.py: {missing}"
    assert stale == [], f"data_map.py names columns that do not exist: {stale}"


async def _a_customer_with_everything(services, make_team, make_agent) -> tuple[int, bytes]:
    """One customer with a row in every table that can hold their data, made with the real
    actions where there is one."""
    team = await make_team()
    agent = await make_agent("Alice", teams=[team], online=True)
    file_marker = f"FILE-{uuid.uuid4().hex}".encode()
    first = await receive_message(services, InboundMessage(
        channel="web", external_id=f"visitor-{uuid.uuid4().hex[:8]}", text="hello",
        customer_name="Li Wei", customer_email="li.wei@example.com",
        attachments=[AttachmentIn("statement.txt", "text/plain", b"my statement " + file_marker)]))
    conversation_id = first.conversation.id
    customer_id = first.conversation.customer_id
    await send_message(services, agent, conversation_id, "Thanks")
    await send_message(services, agent, conversation_id, "staff only", internal=True)
    # what the widget reported about the device, with a wallet address (issue 16)
    await record_device_context(services, conversation_id, parse_device_context(
        services.settings.model_copy(update={"device_context_fields": list(DEVICE_FIELDS)}),
        {"app_version": "3.2.1", "os": "iOS 17.4", "platform": "ios",
         "wallet_addresses": [{"chain": "ethereum",
                               "address": "0x52908400098527886E0F7030069857D2E4169EE7"}]}))
    async with services.transaction() as session:
        programme = FollowUpProgramme(name="after withdrawals", trigger="transaction")
        session.add(programme)
        await session.flush()
        complaint = Complaint(conversation_id=conversation_id, customer_id=customer_id,
                              category="fees", summary="s")
        session.add_all([
            BotTurn(conversation_id=conversation_id, query="q", language="en", outcome="answered"),
            ChainLookup(conversation_id=conversation_id, tx="0x" + "ab" * 32, chain="ethereum",
                        status="confirmed", candidates=["ethereum"],
                        result={"recipient": "0x" + "12" * 20}),  # issue 16
            Survey(conversation_id=conversation_id, customer_id=customer_id, channel="web"),
            complaint,
            FollowUp(programme_id=programme.id, customer_id=customer_id, source_ref="tx:1"),
            EmailCode(customer_id=customer_id, conversation_id=conversation_id,
                      email="li.wei@example.com"),
        ])
        await session.flush()
        session.add(ComplaintEvent(complaint_id=complaint.id, stage="received", detail={}))
        record_audit(session, actor_agent_id=agent.id, action="complaint.received",
                     target_type="complaint", target_id=complaint.id, detail={"summary": "s"})
    return customer_id, file_marker


async def _plant(services, customer_id: int) -> list[str]:
    """A unique marker in every personal column of every row of the customer's."""
    markers = []
    async with services.transaction() as session:
        complaint_ids = list((await session.scalars(
            select(Complaint.id).where(Complaint.customer_id == customer_id))).all())
        rows = customer_rows(customer_id, complaint_ids)
        for name, table in Base.metadata.tables.items():
            columns = personal_columns(name)
            if not columns:
                continue
            assert name in rows, f"data_map.customer_rows does not say which {name} are whose"
            ids = list((await session.scalars(rows[name])).all())
            assert ids, f"the scenario made no {name} row for the customer"
            for row_id in ids:
                values: dict[str, Any] = {}
                for column in columns:
                    marker = f"MK-{name}-{column}-{row_id}-{uuid.uuid4().hex[:8]}"
                    markers.append(marker)
                    values[column] = ({"note": marker} if isinstance(table.c[column].type, JSON)
                                      else marker)
                await session.execute(update(table).where(table.c.id == row_id).values(values))
    return markers


async def _dump(services) -> str:
    """Every row of every table, decrypted, as text."""
    parts = []
    async with services.read() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                parts.append(f"{table.name}: {row!r}")
    return "\n".join(parts)


def _blob_text(data_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in data_dir.rglob("*") if path.is_file())


@pytest.fixture
def desk(services, tmp_path):  # type: ignore[no-untyped-def]
    services.settings = services.settings.model_copy(update={
        "data_dir": str(tmp_path / "data"), "log_level": "DEBUG"})
    return services


async def test_export_holds_every_personal_field_and_erase_leaves_no_trace(
        capsys, caplog, desk, make_team, make_agent, tmp_path):
    caplog.set_level(logging.DEBUG)
    configure_logging(desk.settings)  # JSON lines into capsys, at DEBUG
    customer_id, file_marker = await _a_customer_with_everything(desk, make_team, make_agent)
    markers = await _plant(desk, customer_id)
    assert len(markers) >= 20, markers
    assert file_marker in _blob_text(tmp_path / "data")

    exported = await export_customer(desk, None, customer_id)
    text = json.dumps(exported, ensure_ascii=False)
    assert [m for m in markers if m not in text] == [], "export leaves these out"
    files = [base64.b64decode(a["content_base64"]) for c in exported["conversations"]
             for m in c["messages"] for a in m["attachments"]]
    assert any(file_marker in f for f in files), "export leaves out the attachment's file"
    assert "staff only" not in text  # staff notes are the desk's, not the customer's

    await erase_customer(desk, None, customer_id)
    dump = await _dump(desk)
    assert [m for m in markers if m in dump] == [], "erasure left these in the database"
    assert "staff only" not in dump and "li.wei@example.com" not in dump
    assert file_marker not in _blob_text(tmp_path / "data"), "the file is still stored"
    logged = capsys.readouterr().err + "\n".join(r.getMessage() for r in caplog.records)
    assert [m for m in markers + [file_marker.decode()] if m in logged] == [], "in the logs"
    # the rows stay for the figures
    async with desk.read() as session:
        assert await session.scalar(select(Survey.id)) is not None
        assert await session.scalar(select(Complaint.stage)) == "received"
    # and a second export says there is nothing personal left
    again = json.dumps(await export_customer(desk, None, customer_id), ensure_ascii=False)
    assert [m for m in markers if m in again] == []
