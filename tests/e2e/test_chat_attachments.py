"""Files in the chat and the launcher's unread badge, in a real browser: a screenshot pasted
in the embedded widget reaches the agent inline without its metadata, the agent sends a
file back, and the closed launcher counts the replies."""

import base64
import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Page, expect
from sqlalchemy import select

from tests.conftest import make_agent_in
from tests.e2e.test_chat_in_browser import sign_in
from tests.web.test_chat_attachments import GPS_IFD, jpeg_with_gps
from walletdesk.accounts.actions import create_team
from walletdesk.conversations.models import Conversation

pytestmark = pytest.mark.e2e

LOADED_WIDTH = """img => new Promise(done => {
    if (img.complete && img.naturalWidth) done(img.naturalWidth);
    img.addEventListener("load", () => done(img.naturalWidth), {once: true});
    img.addEventListener("error", () => done(-1), {once: true});
    setTimeout(() => done(img.naturalWidth), 15000);
})"""  # the picture's source is set after its bytes are fetched: wait for it to load
SHOTS = Path("/work/notes/shots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def shot(page: Page, name: str, artifacts: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=SHOTS / f"C_{name}.png")
    await page.screenshot(path=artifacts / f"chat-attachments-{name}.png")


async def test_pasted_screenshot_file_back_and_launcher_badge(browser, server, e2e_services,
                                                             artifacts, tmp_path):
    e2e_services.settings.data_dir = str(tmp_path)
    async with e2e_services.transaction() as session:
        team = await create_team(session, None, name="Support")
    alice = await make_agent_in(e2e_services, "Alice", teams=[team], online=True)
    workspace = await sign_in(browser, server.url, alice.email)

    site = await (await browser.new_context(viewport={"width": 1100, "height": 760})).new_page()
    await site.goto(f"{server.url}/embed-example")
    launcher = site.locator("button[aria-label^='Chat with support']")
    badge = site.locator("[data-walletdesk-unread]")
    await launcher.click()
    widget = site.frame_locator("iframe[title='Support chat']")
    await expect(widget.locator("#conn-state")).to_have_text("Online")

    # the customer pastes a phone photo (with GPS in its EXIF) and a caption
    photo = base64.b64encode(jpeg_with_gps()).decode()
    await widget.locator("#text").evaluate("""(box, b64) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const clip = new DataTransfer();
        clip.items.add(new File([bytes], "image.jpg", {type: "image/jpeg"}));
        box.value = "this error when I send";
        box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: clip, bubbles: true,
                                                       cancelable: true}));
    }""", photo)
    mine = widget.locator(".msg.customer").filter(has_text="this error when I send")
    assert await mine.locator(".wd-thumb img").evaluate(LOADED_WIDTH) == 64
    await expect(widget.locator(".msg.system")).to_contain_text("Alice joined")
    await expect(widget.locator("#text")).to_have_value("")

    # the agent sees it inline, and what the desk serves has no EXIF / GPS
    await workspace.locator(".conv").first.click()
    thumb = workspace.locator("#messages .msg.customer .wd-thumb img")
    await expect(thumb).to_have_js_property("complete", True)
    assert await thumb.evaluate(LOADED_WIDTH) == 64
    served = await thumb.evaluate("""async img => {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        return Array.from(bytes);
    }""")
    data = bytes(served)
    assert b"Exif" not in data and b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert len(image.getexif()) == 0 and not image.getexif().get_ifd(GPS_IFD)
    await workspace.locator("#messages .wd-thumb").click()
    await expect(workspace.locator(".wd-lightbox img")).to_be_visible()
    await shot(workspace, "agent_sees_pasted_image_enlarged", artifacts)
    await workspace.keyboard.press("Escape")
    await expect(workspace.locator(".wd-lightbox")).to_be_hidden()
    await shot(workspace, "agent_thread_with_thumbnail", artifacts)

    # the customer closes the chat; the agent sends a file and a reply: the launcher counts 2
    await launcher.click()
    await expect(site.locator("iframe[title='Support chat']")).to_be_hidden()
    await workspace.locator("#file-input").set_input_files(
        files=[{"name": "receipt.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await expect(workspace.locator("#messages .msg.agent .wd-file")).to_contain_text(
        "receipt.pdf")
    await workspace.fill("#reply-text", "Here is your receipt; the transfer is confirmed.")
    await workspace.press("#reply-text", "Enter")
    await expect(badge).to_have_text("2")
    await expect(badge).to_be_visible()
    await expect(launcher).to_have_attribute("aria-label", "Chat with support (2 unread)")
    await shot(site, "launcher_badge_two_unread", artifacts)

    # opening the chat shows the file and clears the count, on the server too
    await launcher.click()
    link = widget.locator(".msg.agent .wd-file")
    await expect(link).to_contain_text("receipt.pdf")
    await expect(badge).to_be_hidden()
    async with site.expect_download() as download_info:
        await link.click()
    download = await download_info.value
    assert download.suggested_filename == "receipt.pdf"
    assert Path(await download.path()).read_bytes() == PDF
    await shot(site, "widget_open_with_file_from_agent", artifacts)
    async with e2e_services.read() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    for _ in range(50):
        async with e2e_services.read() as session:
            conversation = await session.scalar(select(Conversation))
        assert conversation is not None
        if conversation.customer_read_seq:
            break
        await site.wait_for_timeout(100)
    assert conversation.customer_read_seq == conversation.last_seq

    # a wrong file: a clear reason in the widget, the typed text kept
    await widget.locator("#text").fill("and the statement")
    await widget.locator("#file-input").set_input_files(
        files=[{"name": "tool.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}])
    failed = widget.locator(".msg.customer.failed")
    await expect(failed).to_contain_text("application/x-msdownload are not allowed")
    await expect(widget.locator("#text")).to_have_value("and the statement")
    await shot(site, "widget_refused_file", artifacts)
