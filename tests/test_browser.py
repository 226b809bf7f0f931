"""Browser tests: headless Debian Chromium driven by Playwright against the real gateway.

The customer page's own widget holds conversations in German and Russian and tells a
customer who writes something sensitive that a person takes over; the published
``rasa-webchat`` widget from npm, on a page of another origin, talks to the gateway
unchanged. Screenshots of each step are saved under ``tests/artifacts/browser/``.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import ensure_webchat
from tests.conftest import ARTIFACTS

SHOTS = ARTIFACTS / "browser"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}-last.png"))
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def say(page: Page, text: str) -> None:
    box = page.locator("#support-widget input[name=message]")
    box.fill(text)
    box.press("Enter")


def bot_messages(page: Page):
    return page.locator("#support-widget .msg.bot")


@pytest.mark.parametrize("language,greeting,question", [
    ("de", "Guten Tag!", "Wo ist meine Bestellung A-10234?"),
    ("ru", "Здравствуйте!", "Где мой заказ A-10234?"),
])
def test_demo_page_widget_holds_a_conversation(desk, page: Page, responses, language, greeting, question):
    page.goto(f"{desk.url}/")
    page.select_option("#language", language)
    say(page, greeting)
    expect(bot_messages(page).nth(0)).to_have_text(responses["utter_greet"][language])
    say(page, question)
    expect(bot_messages(page).nth(1)).to_contain_text("A-10234")
    assert bot_messages(page).nth(1).inner_text() != responses["utter_out_of_scope"][language]
    shot(page, f"widget-{language}")
    session = page.evaluate("window.SupportWidget.sessionId")

    page.reload()  # the same session after a reload: the conversation goes on
    expect(page.locator("#support-widget .head")).to_be_visible()
    page.wait_for_function("window.SupportWidget.sessionId !== null")
    assert page.evaluate("window.SupportWidget.sessionId") == session
    expect(bot_messages(page)).to_have_count(2)  # the conversation so far is shown again
    say(page, "ok")
    expect(bot_messages(page).nth(2)).to_have_text(responses["utter_affirm_ack"][language])


def test_sensitive_message_is_told_a_person_takes_over(desk, page: Page, responses):
    page.goto(f"{desk.url}/")
    page.select_option("#language", "de")
    say(page, "Mein Mann ist letzte Woche gestorben. Was passiert jetzt mit unserem gemeinsamen Konto?")
    expect(bot_messages(page).nth(0)).to_have_text(responses["utter_handoff_bereavement"]["de"])
    shot(page, "widget-handoff")


def test_customer_text_is_shown_as_text_not_markup(desk, page: Page):
    page.goto(f"{desk.url}/")
    say(page, "<img src=x onerror=\"document.title='pwned'\"> hello")
    expect(page.locator("#support-widget .msg.customer")).to_contain_text("<img src=x")
    expect(bot_messages(page).nth(0)).to_be_visible()
    assert page.title() != "pwned"


def test_published_rasa_webchat_talks_to_the_gateway(desk, page: Page, responses):
    shop = desk.platform  # a web server of another origin plays the shop's site
    html = f"""<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head>
<body><div id="webchat"></div>
<script src="/webchat.js"></script>
<script>
  WebChat.default({{
    selector: "#webchat", socketUrl: "{desk.url}", socketPath: "/socket.io/",
    customData: {{ language: "de" }}, title: "Shop", initPayload: "Guten Tag",
    embedded: true, params: {{ storage: "session" }}
  }}, null);
</script></body></html>"""
    shop.pages["/shop.html"] = (html.encode(), "text/html")
    shop.pages["/webchat.js"] = (ensure_webchat().read_bytes(), "application/javascript")
    page.goto(f"{shop.url}/shop.html")
    responses_shown = page.locator(".rw-response")
    expect(responses_shown.nth(0)).to_have_text(responses["utter_greet"]["de"], timeout=30_000)
    page.locator(".rw-new-message").fill("Wo ist meine Bestellung A-10234?")
    page.locator(".rw-new-message").press("Enter")
    expect(responses_shown.nth(1)).to_contain_text("A-10234", timeout=30_000)
    shot(page, "rasa-webchat")
