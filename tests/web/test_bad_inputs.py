"""Inputs that used to break things (issue 11 §3): each gets a clear 4xx, never a 500, on
both engines; database errors never print their values; a poison mail is refused for good;
/healthz says why the disk cannot be written."""

import contextlib
import io
import json
import logging
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import PASSWORD
from tests.email.conftest import MailDesk, customer_mail, mail_desk  # noqa: F401
from walletdesk.accounts.models import Role, Team
from walletdesk.conversations.actions import InboundMessage, receive_message
from walletdesk.conversations.models import Conversation, Message
from walletdesk.db.engine import redacted_traceback
from walletdesk.logging import configure_logging


@pytest.fixture(autouse=True)
def _logging_restored():  # type: ignore[no-untyped-def]
    """Tests here capture the logs (capsys): later tests must not write to a closed stream."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


async def admin_http(make_agent, sign_in):  # type: ignore[no-untyped-def]
    boss = await make_agent("Boss", role=Role.admin)
    signed = await sign_in(boss.email)
    signed.http.headers["x-csrf-token"] = signed.csrf
    return signed


async def test_a_number_in_the_inbox_search_is_not_a_500(services, make_agent, sign_in):
    signed = await admin_http(make_agent, sign_in)
    delivered = await receive_message(services, InboundMessage(
        channel="api", external_id="n-1", text="order 4242"))
    for term in ("4242", str(2**31), str(2**63 + 1), "9" * 40, "²", "١٢٣"):
        found = await signed.http.get("/api/v1/conversations",
                                      params={"view": "all", "q": term})
        assert found.status_code == 200, (term, found.text)
    by_id = await signed.http.get("/api/v1/conversations",
                                  params={"view": "all", "q": str(delivered.conversation.id)})
    assert [c["id"] for c in by_id.json()] == [delivered.conversation.id]


async def test_team_time_zone_must_be_a_real_one(services, make_agent, sign_in):
    signed = await admin_http(make_agent, sign_in)
    http = signed.http
    for zone in ("", "America", "Etc", "../UTC"):
        made = await http.post("/api/v1/teams", json={"name": f"T {zone!r}", "timezone": zone})
        assert made.status_code == 422 and "time zone" in made.json()["detail"], (zone, made.text)
    team = (await http.post("/api/v1/teams", json={"name": "Day"})).json()
    emptied = await http.patch(f"/api/v1/teams/{team['id']}", json={"timezone": ""})
    assert emptied.status_code == 422 and "time zone" in emptied.json()["detail"]
    assert (await http.get("/admin")).status_code == 200
    # a team saved with an empty zone before this release is repaired by the migration
    async with services.transaction() as session:
        await session.execute(text("UPDATE teams SET timezone = '' WHERE id = :id"),
                              {"id": team["id"]})
    from walletdesk.db.migrate import downgrade_database, upgrade_database

    await downgrade_database(services.db.engine, "0020")
    await upgrade_database(services.db.engine)
    async with services.read() as session:
        zone = (await session.execute(text("SELECT timezone FROM teams WHERE id = :id"),
                                      {"id": team["id"]})).scalar_one()
    assert zone == "UTC"
    assert (await http.get("/admin")).status_code == 200


async def test_renaming_a_team_to_a_taken_name_is_a_conflict(make_agent, sign_in):
    http = (await admin_http(make_agent, sign_in)).http
    first = (await http.post("/api/v1/teams", json={"name": "Alpha"})).json()
    await http.post("/api/v1/teams", json={"name": "Beta"})
    clash = await http.patch(f"/api/v1/teams/{first['id']}", json={"name": "Beta"})
    assert clash.status_code == 409 and "already exists" in clash.json()["detail"]
    same = await http.patch(f"/api/v1/teams/{first['id']}", json={"name": " Alpha "})
    assert same.status_code == 200 and same.json()["name"] == "Alpha"


async def test_admin_forms_with_bad_numbers_get_a_page_not_a_500(make_agent, sign_in):
    signed = await admin_http(make_agent, sign_in)
    page = await signed.http.get("/admin/kb/new")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    for bad in ("abc", "9" * 30, str(2**31), "-1", "²"):
        saved = await signed.http.post("/admin/kb", data={
            "csrf_token": csrf, "article_id": bad, "slug": "x", "category": "general",
            "title_en": "T", "action": "save"})
        assert saved.status_code == 422, (bad, saved.status_code)
        assert "article_id must be a whole number" in saved.text
    for field, value in (("capacity", "lots"), ("capacity", "9" * 30),
                         ("team_ids", "9" * 30)):
        made = await signed.http.post("/admin/agents", data={
            "csrf_token": csrf, "email": "x@example.com", "display_name": "X",
            "password": "long-enough-pw", "role": "agent", field: value})
        assert made.status_code == 422, (field, value, made.status_code)


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\ud800", "\x9b"])
async def test_control_characters_and_lone_surrogates_are_refused_everywhere(
        services, make_agent, sign_in, bad):
    signed = await admin_http(make_agent, sign_in)
    http = signed.http
    body = json.dumps({"name": f"Team{bad}x"})  # json escapes them: valid JSON text
    team = await http.post("/api/v1/teams", content=body,
                           headers={"content-type": "application/json"})
    assert team.status_code == 422, team.text
    assert "not allowed" in team.text and "name" in team.text
    label = await http.post("/api/v1/labels", content=json.dumps(
        {"name": "VIP", "color": "#ff0000", "description": f"big{bad}"}),
        headers={"content-type": "application/json"})
    assert label.status_code == 422 and "description" in label.text
    nested = await http.post("/api/v1/agents", content=json.dumps({
        "email": "a@example.com", "display_name": "A", "password": "long-enough-pw",
        "languages": [f"en{bad}"]}), headers={"content-type": "application/json"})
    assert nested.status_code == 422
    if bad != "\ud800":  # a query string or form is UTF-8 bytes: no surrogates there
        search = await http.get("/api/v1/conversations", params={"q": f"a{bad}b"})
        assert search.status_code == 422 and "not allowed" in search.text
        form = await http.post("/admin/teams", data={"csrf_token": signed.csrf,
                                                      "name": f"Form{bad}"},
                               headers={"accept": "text/html"})
        assert form.status_code == 422 and "text/html" in form.headers["content-type"]
        assert "not allowed" in form.text
    async with services.read() as session:
        names = (await session.execute(text("SELECT name FROM teams"))).scalars().all()
    assert names == []


async def test_deep_json_in_a_request_body_is_a_clear_error(make_agent, sign_in):
    http = (await admin_http(make_agent, sign_in)).http
    deep = '{"name": "x", "languages": ' + "[" * 5000 + "]" * 5000 + "}"
    answer = await http.post("/api/v1/teams", content=deep,
                             headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "deep" in answer.text


async def test_database_errors_never_print_their_values(capsys, services):
    marker = f"Marker-{uuid.uuid4().hex}"
    configure_logging(services.settings.model_copy(update={"log_level": "INFO"}))
    async with services.transaction() as session:
        session.add(Team(name=marker))
    with pytest.raises(IntegrityError) as caught:
        async with services.transaction() as session:
            session.add(Team(name=marker))  # the name is unique
    exc = caught.value
    assert "parameters hidden" in str(exc)  # hide_parameters on every engine
    assert marker not in redacted_traceback(exc) and "INSERT INTO teams" in redacted_traceback(exc)
    uvicorn_output = io.StringIO()  # as uvicorn logs "Exception in ASGI application"
    handler = logging.StreamHandler(uvicorn_output)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logging.getLogger("uvicorn.error").addHandler(handler)
    try:
        try:
            raise RuntimeError("request failed") from exc
        except RuntimeError:
            structlog.get_logger("test").exception("request_failed")
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    finally:
        logging.getLogger("uvicorn.error").removeHandler(handler)
    logged = capsys.readouterr().err
    assert "request_failed" in logged and "IntegrityError" in logged
    assert "IntegrityError" in uvicorn_output.getvalue()
    assert marker not in logged and marker not in uvicorn_output.getvalue()


def _nested_mail(depth: int) -> bytes:
    body = "Content-Type: text/plain\r\n\r\nhello"
    for level in range(depth):
        boundary = f"b{level}"
        body = (f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
                f"--{boundary}\r\n{body}\r\n--{boundary}--\r\n")
    return ("From: Poison <poison@example.com>\r\nTo: support@walletdesk.localhost\r\n"
            "Subject: deep\r\nMessage-ID: <deep@example.com>\r\nMIME-Version: 1.0\r\n"
            + body).encode()


async def test_a_poison_mail_is_refused_for_good_and_odd_text_is_stored(
        mail_desk: MailDesk):  # noqa: F811
    code, reply = await mail_desk.send(_nested_mail(2000), sender="poison@example.com")
    assert 500 <= code < 600, (code, reply)  # permanent: the sender stops retrying
    code, _ = await mail_desk.send(customer_mail(
        "nul\x00 and bell\x07 inside", subject="odd\x00subject",
        sender="Odd\x00Name <odd@example.com>", message_id="<odd@example.com>"),
        sender="odd@example.com")
    assert code == 250
    async with mail_desk.services.read() as session:
        stored = (await session.scalars(
            Message.__table__.select().with_only_columns(Message.text))).all()
        subject = (await session.scalars(
            Conversation.__table__.select().with_only_columns(Conversation.subject))).all()
    assert any("nul and bell inside" in t for t in stored), stored
    assert subject == ["oddsubject"]


@contextlib.contextmanager
def _tiny_disk(path: Path):  # type: ignore[no-untyped-def]
    """A real 1 MiB file system (tmpfs) mounted at ``path`` for the test."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


async def test_healthz_says_why_the_disk_cannot_be_written(capsys, services, client, tmp_path):
    services.settings = services.settings.model_copy(
        update={"data_dir": str(tmp_path / "data")})
    configure_logging(services.settings)  # into capsys
    ok = await client.get("/healthz")
    assert ok.status_code == 200 and ok.json()["disk"] == "ok"
    with _tiny_disk(tmp_path / "data") as data:
        filler = data / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        full = await client.get("/healthz")
        assert full.status_code == 503 and full.json()["disk"] == "full", full.text
        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
        read_only = await client.get("/healthz")
        assert read_only.status_code == 503 and read_only.json()["disk"] == "read_only"
    logged = capsys.readouterr().err
    assert "disk_unhealthy" in logged and "read_only" in logged


async def test_login_password_field_with_nul_is_refused(client, make_agent):
    agent = await make_agent("Nul")
    answer = await client.post("/login", data={"email": agent.email,
                                               "password": PASSWORD + "\x00"})
    assert answer.status_code == 422
