"""Files in the chat, both ways: uploads through the one message path, metadata stripped from
pictures, text files protected, and who may fetch what (customers by their widget token,
agents by the conversations they may see)."""

import io

from mnemonic import Mnemonic
from PIL import Image
from sqlalchemy import func, select

from walletdesk import i18n
from walletdesk.accounts.models import Role
from walletdesk.conversations.actions import assign_conversation
from walletdesk.conversations.attachments import blob_path
from walletdesk.conversations.models import Attachment, Conversation, Message, SenderKind
from walletdesk.web.routes.chat_uploads import widget_file_token

GPS_IFD = 0x8825
SEED = Mnemonic("english").to_mnemonic(bytes(range(16)))  # a valid 12-word phrase


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: EXIF with the camera, the time and the GPS position."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:29 10:00:00"  # DateTime
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (22.0, 16.0, 42.0), 3: "E", 4: (114.0, 9.0, 30.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the fixture has them
    return data


def widget_headers(services, visitor: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": "Bearer " + widget_file_token(services.settings, visitor, None)}


async def upload(client, services, visitor: str, name: str, kind: str, data: bytes,  # type: ignore[no-untyped-def]
                 **fields: str):
    return await client.post("/api/widget/attachments", headers=widget_headers(services, visitor),
                             files={"file": (name, data, kind)}, data=fields)


async def _count(services, model) -> int:  # type: ignore[no-untyped-def]
    async with services.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_pasted_photo_is_stored_without_its_exif_and_reaches_the_agent_live(
        client, services, bus, tmp_path):
    services.settings.data_dir = str(tmp_path)
    original = jpeg_with_gps()
    answer = await upload(client, services, "v-photo", "IMG_0001.JPG", "image/jpeg", original,
                          text="this error when I send", client_id="c-1")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    message = body["message"]
    assert message["sender_kind"] == "customer" and message["text"] == "this error when I send"
    [meta] = message["meta"]["attachments"]
    assert (meta["filename"], meta["content_type"]) == ("IMG_0001.jpg", "image/jpeg")
    async with services.read() as session:
        stored = await session.get(Attachment, meta["id"])
    assert stored is not None
    data = blob_path(services.settings, stored.sha256).read_bytes()
    assert data != original and stored.size == len(data)
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    with Image.open(io.BytesIO(data)) as clean:
        assert clean.format == "JPEG" and clean.size == (64, 48)
        assert len(clean.getexif()) == 0 and not clean.getexif().get_ifd(GPS_IFD)
        assert "exif" not in clean.info and "comment" not in clean.info
        red, green, blue = clean.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
        assert red > 150 and green < 80 and blue < 80  # still the same picture
    # the one message path: the event every agent's socket gets carries the attachment
    [event] = [e for e in bus.of_type("message") if e["message"]["id"] == message["id"]]
    assert event["message"]["meta"]["attachments"][0]["id"] == meta["id"]
    # the same upload again (a retry with the same client id) stores nothing new
    again = await upload(client, services, "v-photo", "IMG_0001.JPG", "image/jpeg", original,
                         text="this error when I send", client_id="c-1",
                         conversation_id=str(body["conversation_id"]))
    assert again.json()["duplicate"] is True
    assert await _count(services, Attachment) == 1


async def test_a_text_file_with_a_recovery_phrase_is_protected_before_it_is_stored(
        client, services, tmp_path):
    services.settings.data_dir = str(tmp_path)
    text = f"my backup:\n{SEED}\n-- 谢谢".encode()
    answer = await upload(client, services, "v-text", "notes.txt", "text/plain", text)
    assert answer.status_code == 200, answer.text
    [meta] = answer.json()["message"]["meta"]["attachments"]
    async with services.read() as session:
        stored = await session.get(Attachment, meta["id"])
    assert stored is not None
    data = blob_path(services.settings, stored.sha256).read_text()
    assert "my backup" in data and "谢谢" in data and "[seed phrase removed]" in data
    assert SEED not in data and " ".join(SEED.split()[:3]) not in data
    assert not any(path.read_bytes() == text
                   for path in (tmp_path / "blobs").rglob("*") if path.is_file())


async def test_a_recovery_phrase_in_an_uploaded_file_gets_the_typed_phrase_notice(
        client, services, tmp_path):
    """seed.txt attached in the widget: the customer is told, as for a typed phrase, to
    treat the wallet as compromised (the same system message, once); a file without a
    secret gets no notice."""
    services.settings.data_dir = str(tmp_path)
    answer = await upload(client, services, "v-seed", "seed.txt", "text/plain",
                          f"{SEED}\n".encode())
    assert answer.status_code == 200, answer.text
    conversation_id = answer.json()["conversation_id"]
    clean = await upload(client, services, "v-seed", "steps.txt", "text/plain",
                         b"Steps: (1) open (2) scan (3) select token (4) enter amount\n",
                         conversation_id=str(conversation_id))
    assert clean.status_code == 200, clean.text
    async with services.read() as session:
        rows = (await session.execute(
            select(Message.sender_kind, Message.text)
            .where(Message.conversation_id == conversation_id).order_by(Message.seq))).all()
        conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None
    notice = i18n.text("secret_removed", conversation.language)
    assert "compromised" in notice
    assert [row.text for row in rows if row.sender_kind == SenderKind.system
            and row.text == notice] == [notice]
    assert conversation.has_secret_redaction


async def test_bad_files_get_a_clear_refusal_and_nothing_is_stored(client, services, tmp_path):
    services.settings.data_dir = str(tmp_path)
    services.settings.attachment_max_bytes = 100_000
    big = await upload(client, services, "v-bad", "scan.png", "image/png", b"\x89PNG" * 30_000)
    assert big.status_code == 413
    assert big.json() == {"detail": "the file is larger than the 98 KB limit",
                          "code": "attachment_too_large"}
    exe = await upload(client, services, "v-bad", "wallet.exe", "application/x-msdownload",
                       b"MZ\x90\x00")
    assert exe.status_code == 415 and "application/x-msdownload are not allowed" in \
        exe.json()["detail"]
    broken = await upload(client, services, "v-bad", "shot.png", "image/png",
                          jpeg_with_gps()[:200])
    assert broken.status_code == 422 and "damaged" in broken.json()["detail"]
    disguised = await upload(client, services, "v-bad", "x.png", "image/png",
                             b"<html><script>alert(1)</script></html>")
    assert disguised.status_code == 422 and disguised.json()["code"] == "attachment_damaged"
    not_pdf = await upload(client, services, "v-bad", "statement.pdf", "application/pdf",
                           b"<html>")
    assert not_pdf.status_code == 422 and "not a PDF" in not_pdf.json()["detail"]
    empty = await upload(client, services, "v-bad", "e.txt", "text/plain", b"")
    assert empty.status_code == 422 and empty.json()["detail"] == "the file is empty"
    no_file = await client.post("/api/widget/attachments", headers=widget_headers(services, "v"),
                                data={"text": "hi"}, files={"other": ("a.txt", b"x", "text/plain")})
    assert no_file.status_code == 422 and no_file.json()["detail"] == "choose a file to send"
    assert await _count(services, Message) == 0 and await _count(services, Attachment) == 0
    assert not (tmp_path / "blobs").exists()


async def test_customers_fetch_only_their_own_files_and_agents_only_what_they_may_see(
        client, services, make_agent, make_team, sign_in, tmp_path):
    services.settings.data_dir = str(tmp_path)
    support, other = await make_team("Support"), await make_team("Other desk")
    partner = await make_team("Partner", is_outsourced=True)
    mei = await make_agent("Mei", teams=[support])
    stranger = await make_agent("Sam", teams=[other])
    outsourced = await make_agent("Olu", role=Role.outsourced, teams=[partner])
    sent = (await upload(client, services, "v-alice", "s.jpg", "image/jpeg",
                         jpeg_with_gps())).json()
    attachment_id = sent["message"]["meta"]["attachments"][0]["id"]
    conversation_id = sent["conversation_id"]
    await assign_conversation(services, mei, conversation_id, agent_id=mei.id, team_id=support.id)

    mine = await client.get(f"/api/widget/attachments/{attachment_id}",
                            headers=widget_headers(services, "v-alice"))
    assert mine.status_code == 200 and mine.headers["content-type"] == "image/jpeg"
    assert mine.headers["content-disposition"].startswith("inline")
    assert "sandbox" in mine.headers["content-security-policy"]
    theirs = await client.get(f"/api/widget/attachments/{attachment_id}",
                              headers=widget_headers(services, "v-bob"))
    assert theirs.status_code == 404
    assert (await client.get(f"/api/widget/attachments/{attachment_id}")).status_code == 401
    forged = await client.get(f"/api/widget/attachments/{attachment_id}",
                              headers={"Authorization": "Bearer v-alice"})
    assert forged.status_code == 401
    # bob cannot post into alice's conversation either
    intruder = await upload(client, services, "v-bob", "a.txt", "text/plain", b"hi",
                            conversation_id=str(conversation_id))
    assert intruder.status_code == 404

    seen = await (await sign_in(mei.email)).http.get(f"/app/attachments/{attachment_id}/view")
    assert seen.status_code == 200 and seen.headers["content-type"] == "image/jpeg"
    for outsider in (stranger, outsourced):
        refused = await (await sign_in(outsider.email)).http.get(
            f"/app/attachments/{attachment_id}/view")
        assert refused.status_code == 404

    # the agent sends a file back; the customer fetches it, another customer cannot
    agent = await sign_in(mei.email)
    reply = await agent.http.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        headers={"X-CSRF-Token": agent.csrf}, data={"text": "the fixed address list"},
        files={"file": ("addresses.csv", b"chain,address\nETH,0xabc\n", "text/csv")})
    assert reply.status_code == 200, reply.text
    assert reply.json()["message"]["sender_kind"] == "agent"
    back_id = reply.json()["message"]["meta"]["attachments"][0]["id"]
    got = await client.get(f"/api/widget/attachments/{back_id}",
                           headers=widget_headers(services, "v-alice"))
    assert got.status_code == 200 and got.content == b"chain,address\nETH,0xabc\n"
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment")
    assert (await client.get(f"/api/widget/attachments/{back_id}",
                             headers=widget_headers(services, "v-bob"))).status_code == 404
    # an internal note's file never reaches the customer
    note = await agent.http.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        headers={"X-CSRF-Token": agent.csrf}, data={"internal": "1"},
        files={"file": ("risk.txt", b"internal checks", "text/plain")})
    note_id = note.json()["message"]["meta"]["attachments"][0]["id"]
    assert note.json()["message"]["internal"] is True
    assert note.json()["message"]["text"] == "📎 risk.txt"
    assert (await client.get(f"/api/widget/attachments/{note_id}",
                             headers=widget_headers(services, "v-alice"))).status_code == 404
    # without the CSRF header, and for an agent who cannot see the conversation: refused
    no_csrf = await agent.http.post(f"/api/v1/conversations/{conversation_id}/attachments",
                                    files={"file": ("a.txt", b"x", "text/plain")})
    assert no_csrf.status_code == 403
    blocked = await sign_in(stranger.email)
    not_theirs = await blocked.http.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        headers={"X-CSRF-Token": blocked.csrf}, files={"file": ("a.txt", b"x", "text/plain")})
    assert not_theirs.status_code == 404
    too_big = await agent.http.post(
        f"/api/v1/conversations/{conversation_id}/attachments",
        headers={"X-CSRF-Token": agent.csrf},
        files={"file": ("big.txt", b"x" * (services.settings.attachment_max_bytes + 1),
                        "text/plain")})
    assert too_big.status_code == 413
    assert too_big.json()["detail"] == "the file is larger than the 10 MB limit"


async def test_a_flood_of_uploads_is_slowed_down(client, services, tmp_path):
    services.settings.data_dir = str(tmp_path)
    answers = [await upload(client, services, "v-flood", f"{n}.txt", "text/plain", b"log %d" % n)
               for n in range(21)]
    codes = [a.status_code for a in answers]
    assert codes[0] == 200 and codes[-1] == 429
    assert "wait" in answers[-1].json()["detail"] and answers[-1].headers["retry-after"] == "60"
    # another visitor is not held up by this one
    assert (await upload(client, services, "v-calm", "a.txt", "text/plain", b"x")).status_code \
        == 200
