"""The widget's texts in a conversation's language (GET /widget/texts): public, like the
widget itself."""


async def test_the_widget_texts_in_another_customer_language(client):
    answer = await client.get("/widget/texts?lang=zh-Hans",
                              headers={"Accept-Language": "en-US"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["locale"] == "zh-Hans"
    assert body["texts"]["Send"] == "发送"
    assert body["texts"]["Thanks, you rated this {n}/5."] != "Thanks, you rated this {n}/5."
    assert "Vary" in answer.headers


async def test_an_unknown_or_missing_language_gets_the_browsers_or_a_clear_error(client):
    unknown = await client.get("/widget/texts?lang=xx", headers={"Accept-Language": "es"})
    assert unknown.status_code == 200 and unknown.json()["locale"] == "es"
    missing = await client.get("/widget/texts")
    assert missing.status_code == 422 and "lang" in missing.text
    too_long = await client.get("/widget/texts?lang=" + "a" * 40)
    assert too_long.status_code == 422
