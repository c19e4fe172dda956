"""A customer's page that fails (help centre, official-channel check, status, widget, rating
and opt-out links) shows an error page without the staff sign-in: customers have no account
on the desk, and a "Sign in" / "登录" there sends them to the staff login."""

import pytest

from walletdesk.web.error_pages import is_customer_page


@pytest.mark.parametrize("path", ["/help/articles/no-such-article", "/help/nope",
                                  "/survey/not-a-token", "/outreach/stop/not-a-token"])
@pytest.mark.parametrize("language", ["zh-CN,zh;q=0.9", "en-US,en;q=0.9"])
async def test_a_customer_pages_error_offers_the_help_centre_not_the_sign_in(
        client, path: str, language: str) -> None:
    page = await client.get(path, headers={"accept-language": language, "accept": "text/html"})
    assert page.status_code in (404, 410, 422), page.status_code
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/login"' not in page.text and "登录" not in page.text \
        and "Sign in" not in page.text
    if path.startswith("/help"):  # the others answer with their own customer page
        assert page.status_code == 404 and 'href="/help"' in page.text


async def test_staff_pages_still_offer_the_sign_in(client) -> None:
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and 'href="/login"' in page.text


def test_customer_pages_are_told_by_their_path() -> None:
    assert all(is_customer_page(path) for path in (
        "/help", "/help/articles/x", "/verify", "/verify/report", "/status", "/widget",
        "/widget.js", "/embed-example", "/survey/abc", "/outreach/stop/abc"))
    assert not any(is_customer_page(path) for path in (
        "/helpdesk", "/app", "/admin/help", "/statusx", "/login", "/", "/survey"))
