"""A refused canned-reply form comes back with what the agent typed, open, and its refusal
beside it (not at the top of the page above the list, with the typing gone)."""

import html
import re

from tests.conftest import make_agent_in

BAD_SHORTCUT = "a shortcut of 1 to 40 letters, digits, '-', '_' or '.' (no spaces) is required"


def _alerts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [html.unescape(text) for text in
            re.findall(r'<p class="error" role="alert">(.*?)</p>', page.text, re.S)]


async def test_a_refused_new_reply_keeps_what_was_typed_beside_its_refusal(services, sign_in):
    ann = await make_agent_in(services, "Ann")
    signed = await sign_in(ann.email)
    page = await signed.http.post("/app/canned-replies", data={
        "csrf_token": signed.csrf, "shortcut": "two words", "title": "Gas fees <b>explained</b>",
        "scope": "personal", "text_en": "Gas is paid in ETH.", "text_es": "El gas se paga en ETH."})
    assert page.status_code == 422
    assert _alerts(page) == [BAD_SHORTCUT]  # once, and under the new form's heading
    new_form = page.text.split('id="new-canned-reply"')[1]
    heading_to_form = page.text.split("<h2>")[1].split('id="new-canned-reply"')[0]
    assert 'role="alert"' in heading_to_form
    assert 'value="two words"' in new_form
    assert 'value="Gas fees &lt;b&gt;explained&lt;/b&gt;"' in new_form  # escaped, kept
    assert "Gas is paid in ETH.</textarea>" in new_form
    assert "El gas se paga en ETH.</textarea>" in new_form


async def test_a_refused_edit_comes_back_open_with_the_edit(services, sign_in):
    ann = await make_agent_in(services, "Ann")
    signed = await sign_in(ann.email)
    created = await signed.http.post("/app/canned-replies", data={
        "csrf_token": signed.csrf, "shortcut": "gas", "title": "Gas", "scope": "personal",
        "text_en": "Gas is paid in ETH."})
    assert created.status_code == 303
    listed = await signed.http.get("/app/canned-replies")
    reply_id = int(re.search(r'data-reply-id="(\d+)"', listed.text).group(1))  # type: ignore[union-attr]
    page = await signed.http.post(f"/app/canned-replies/{reply_id}", data={
        "csrf_token": signed.csrf, "shortcut": "g a s", "title": "Gas, edited",
        "scope": "personal", "text_en": "Gas is paid in the chain's coin."})
    assert page.status_code == 422
    assert _alerts(page) == [BAD_SHORTCUT]
    row = page.text.split(f'data-reply-id="{reply_id}"')[1].split("</tr>")[0]
    assert "<details open>" in row and 'role="alert"' in row
    assert 'value="Gas, edited"' in row and "the chain&#39;s coin.</textarea>" in row
    assert 'value="Gas"' not in page.text.split('id="new-canned-reply"')[1]  # new form empty
