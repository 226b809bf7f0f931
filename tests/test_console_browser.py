"""The agent console and the customer's widget in two Chromium windows, end to end:
a German customer writes that their father died, the care agent sees it arrive live at
the top of the queue, claims it, answers with a canned response, hands back to the bot,
closes, and the customer rates the help. Screenshots of every step go to
``tests/artifacts/console/``."""

from __future__ import annotations

from typing import Iterator, Tuple

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.desk.notices import notice
from tests.agents import PASSWORD, AgentClient, create_agent, set_everyone_away
from tests.conftest import ARTIFACTS

SHOTS = ARTIFACTS / "console"
CONDOLENCES = "Es tut mir sehr leid. Ich kümmere mich um das Konto Ihres Vaters."


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def windows(browser: Browser, desk) -> Iterator[Tuple[Page, Page]]:
    """(customer's window with the widget, agent's window with the console), each its own
    browser profile; JavaScript errors on either page fail the test."""
    set_everyone_away(desk.database_url)
    create_agent(desk.database_url, "greta", ["care"], ["de"])
    create_agent(desk.database_url, "svenja", ["care"], ["en"], supervisor=True, status="away")
    svenja = AgentClient(desk.url, "svenja")  # supervisors manage canned responses
    svenja.post("/api/v1/agent/canned", {"language": "de", "shortcut": "beileid", "text": CONDOLENCES})
    contexts = [browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800}) for _ in range(2)]
    pages = [context.new_page() for context in contexts]
    errors = []
    for page in pages:
        page.on("pageerror", lambda error: errors.append(str(error)))
    yield pages[0], pages[1]
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def log_in(console: Page, desk_url: str, username: str) -> None:
    console.goto(f"{desk_url}/console")
    console.fill("#username", username)
    console.fill("#password", PASSWORD)
    console.click("#login button[type=submit]")
    expect(console.locator("#me")).to_have_text(username.title())
    expect(console.locator("#live")).to_have_class("on")  # the live socket is open


def say(customer: Page, text: str) -> None:
    box = customer.locator("#support-widget input[name=message]")
    box.fill(text)
    box.press("Enter")


def test_customer_and_agent_from_handoff_to_csat(desk, windows, responses):
    customer, console = windows
    log_in(console, desk.url, "greta")
    expect(console.locator("#queue")).to_contain_text("nobody waiting")
    shot(console, "1-console-empty-queue")

    customer.goto(f"{desk.url}/")
    customer.select_option("#language", "de")
    say(customer, "Mein Vater ist gestorben und ich weiß nicht, was mit seinem Konto passiert.")
    widget = customer.locator("#support-widget")
    expect(widget.locator(".msg.bot").nth(0)).to_have_text(responses["utter_handoff_bereavement"]["de"])
    expect(widget.locator(".msg.system").nth(0)).to_contain_text("Warteschlange")
    shot(customer, "2-widget-handed-off")

    first = console.locator("#queue li button").first  # arrived without a reload
    expect(first).to_contain_text("sensitive:bereavement")
    expect(first).to_contain_text("DE")
    expect(first).to_contain_text("high")
    shot(console, "3-console-queue")

    first.click()
    expect(console.locator("#transcript")).to_contain_text("Mein Vater ist gestorben")
    expect(console.locator("#transcript")).to_contain_text(responses["utter_handoff_bereavement"]["de"])
    expect(console.locator("#reasons")).to_contain_text("sensitive:bereavement")
    console.click("#claim")
    expect(console.locator("#owner-actions")).to_be_visible()
    expect(console.locator("#mine li button")).to_have_count(1)
    shot(console, "4-console-claimed")

    reply = console.locator("#reply")
    reply.fill("/beileid")
    reply.press("Tab")  # the shortcut becomes the canned text
    expect(reply).to_have_value(CONDOLENCES)
    reply.press("Enter")
    expect(widget.locator(".msg.agent-msg")).to_contain_text(CONDOLENCES)
    expect(widget.locator(".agent")).to_have_text("Greta")
    expect(console.locator("#transcript li.agent")).to_contain_text(CONDOLENCES)
    shot(customer, "5-widget-agent-reply")
    shot(console, "5-console-replied")

    say(customer, "Danke, das ist sehr nett.")
    expect(console.locator("#transcript")).to_contain_text("Danke, das ist sehr nett.")  # live, no reload

    console.click("#handback")
    expect(widget.locator(".msg.system").last).to_have_text(notice("handed_back", "de"))
    say(customer, "Wo ist meine Bestellung A-10234?")
    expect(widget.locator(".msg.bot").last).to_contain_text("A-10234")
    expect(console.locator("#transcript li.bot").last).to_contain_text("A-10234")  # the agent follows along
    shot(customer, "6-widget-bot-again")
    shot(console, "6-console-handed-back")

    console.click("#close")
    expect(widget.locator(".msg.system").last).to_contain_text(notice("csat_question", "de"))
    widget.locator(".replies button", has_text="5").click()
    expect(widget.locator(".msg.system").last).to_have_text(notice("csat_thanks", "de"))
    expect(console.locator("#conversation-state")).to_contain_text("CSAT 5/5")
    shot(customer, "7-widget-csat")
    shot(console, "7-console-closed")


def test_console_shows_customer_markup_as_text(desk, windows):
    customer, console = windows
    log_in(console, desk.url, "greta")
    customer.goto(f"{desk.url}/")
    customer.select_option("#language", "de")
    attack = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script> Mein Mann ist gestorben."
    say(customer, attack)
    console.locator("#queue li button").first.click()
    expect(console.locator("#transcript li.customer").first).to_contain_text("<img src=x onerror=")
    expect(console.locator("#transcript img")).to_have_count(0)
    expect(console.locator("#summary")).to_contain_text("<script>")
    assert console.title() != "pwned"
    shot(console, "markup-as-text")
