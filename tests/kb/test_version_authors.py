"""The editor's versions say who saved each by name (it showed the agent's id number), and
"import" for what the command line imported. SQLite and PostgreSQL."""

import re

from tests.conftest import PASSWORD
from walletdesk.accounts.models import Role
from walletdesk.kb.actions import TranslationIn, save_article
from walletdesk.kb.queries import article_versions


async def test_versions_name_their_author(services, client, make_agent) -> None:
    lead = await make_agent("Lena Park", role=Role.supervisor)
    async with services.transaction() as session:  # imported, then edited by Lena
        article, _ = await save_article(session, None, slug="lost-phrase", category="security",
                                        translations={"en": TranslationIn("Lost phrase")})
        await save_article(session, lead, slug="lost-phrase", category="security",
                           translations={"en": TranslationIn("Lost my recovery phrase")})
    async with services.read() as session:
        versions = await article_versions(session, article.id)
    assert [(v.version, v.author_agent_id, v.author_name) for v in versions] == [
        (2, lead.id, "Lena Park"), (1, None, None)]

    login = await client.post("/login", data={"email": lead.email, "password": PASSWORD})
    assert login.status_code == 303
    editor = (await client.get(f"/admin/kb/{article.id}")).text
    rows = [re.findall(r"<td>([^<]*)</td>", row)
            for row in re.findall(r"<tr><td>\d+</td>.*?</tr>", editor)]
    assert [(row[0], row[3]) for row in rows] == [("2", "Lena Park"), ("1", "import")]
