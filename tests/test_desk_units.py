"""Gateway pieces on their own: configuration checks, Rasa's replies, and how buttons
look on each platform (sent to a local fake of the platform's API)."""

from __future__ import annotations

from datetime import datetime, timezone

import aiohttp
import pytest

from bot.desk.channels import messenger, telegram
from bot.desk.channels.web import widget_message
from bot.desk.conversations import RateLimiter, Reply, replies_from_rasa
from bot.desk.storage import ConversationView
from bot.settings import ChannelSecrets, ConfigError, Settings
from tests.fake_platform import FakePlatform

BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def conversation(channel: str, external_id: str) -> ConversationView:
    return ConversationView(1, "c1", channel, external_id, "bot", "de", [], None, None, None, None,
                            datetime.now(timezone.utc), None)


@pytest.mark.parametrize("environ,names", [
    ({"TELEGRAM_TOKEN": "t"}, "TELEGRAM_SECRET"),
    ({"MESSENGER_PAGE_TOKEN": "p"}, "MESSENGER_APP_SECRET"),
    ({"DESK_PORT": "eighty"}, "DESK_PORT"),
    ({"RATE_LIMIT_MESSAGES": "0"}, "RATE_LIMIT_MESSAGES"),
])
def test_configuration_mistakes_stop_the_start_with_the_fix(environ, names):
    with pytest.raises(ConfigError) as error:
        Settings.from_env(environ)
    assert names in str(error.value)


def test_channels_are_off_until_configured():
    settings = Settings.from_env({})
    assert not settings.channels.telegram and not settings.channels.messenger
    assert settings.api_keys == frozenset()
    assert Settings.from_env({"DESK_API_KEYS": "a, b,"}).api_keys == {"a", "b"}


def test_rasa_replies_and_the_handoff_payload():
    handoff = {"reasons": ["requested"], "skill": "technical", "priority": "normal", "language": "en"}
    replies, found = replies_from_rasa([
        {"recipient_id": "c1", "text": "Choose", "buttons": BUTTONS},
        {"recipient_id": "c1", "image": "https://example.com/a.png"},
        {"recipient_id": "c1", "custom": {"handoff": handoff}},
    ])
    assert found == handoff
    assert replies == [Reply(text="Choose", buttons=BUTTONS), Reply(image="https://example.com/a.png")]


def test_widget_message_shape():
    assert widget_message(Reply(text="Choose", buttons=BUTTONS)) == {"text": "Choose", "quick_replies": [
        {"content_type": "text", "title": "Yes", "payload": "/affirm"},
        {"content_type": "text", "title": "No", "payload": "/deny"}]}
    assert widget_message(Reply(text="Hallo", author="agent", sender_name="Anna")) == {
        "text": "Hallo", "metadata": {"author": "agent", "sender_name": "Anna"}}


def test_rate_limiter_window():
    limiter = RateLimiter(2, 60)
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a"), limiter.allow("b")] == [True, True, False, True]


def test_rate_limiter_forgets_senders_silent_for_a_window_but_keeps_active_ones():
    now = [0.0]
    limiter = RateLimiter(2, 60, clock=lambda: now[0])
    for sender in range(1000):
        limiter.allow(f"scan-{sender}")
    now[0] = 50.0
    assert [limiter.allow("active"), limiter.allow("active")] == [True, True]
    now[0] = 70.0  # a window after the scan, 20 s after "active" used its two messages
    assert limiter.allow("active") is False
    assert len(limiter) == 1


@pytest.fixture
def platform():
    fake = FakePlatform().start()
    yield fake
    fake.stop()


async def test_buttons_become_telegram_inline_keyboards(platform):
    secrets = ChannelSecrets(telegram_token="T", telegram_secret="s", telegram_api_base=platform.url)
    async with aiohttp.ClientSession() as session:
        await telegram.sender(secrets, session)(conversation("telegram", "42"), Reply(text="Choose", buttons=BUTTONS))
    [call] = platform.sent("/botT/sendMessage")
    assert call.body == {"chat_id": "42", "text": "Choose", "reply_markup": {"inline_keyboard": [
        [{"text": "Yes", "callback_data": "/affirm"}], [{"text": "No", "callback_data": "/deny"}]]}}


async def test_buttons_become_messenger_quick_replies(platform):
    secrets = ChannelSecrets(messenger_page_token="P", messenger_app_secret="a", messenger_verify_token="v",
                             messenger_api_base=platform.url)
    async with aiohttp.ClientSession() as session:
        await messenger.sender(secrets, session)(conversation("messenger", "psid-7"),
                                                 Reply(text="Choose", buttons=BUTTONS, sender_name="Anna"))
    [call] = platform.sent("/me/messages")
    assert call.query == {"access_token": "P"}
    assert call.body == {"recipient": {"id": "psid-7"}, "messaging_type": "RESPONSE", "message": {
        "text": "Anna: Choose", "quick_replies": [
            {"content_type": "text", "title": "Yes", "payload": "/affirm"},
            {"content_type": "text", "title": "No", "payload": "/deny"}]}}


def test_telegram_button_press_is_a_customer_message():
    inbound = telegram.inbound_from_update({"update_id": 9, "callback_query": {
        "id": "q", "data": "/affirm", "from": {"id": 7, "language_code": "ru-RU"},
        "message": {"chat": {"id": 70}}}})
    assert (inbound.external_id, inbound.text, inbound.language_hint, inbound.platform_message_id) == (
        "70", "/affirm", "ru", "update:9")
    assert inbound.identity == {"channel": "telegram", "external_id": "7"}
