"""The desk gateway with the real Rasa and action servers: every channel, the handoff
to the queue, and everything that must be refused or survived."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import requests
import socketio

from bot.desk.channels.messenger import signature_of
from bot.desk.notices import notice
from tests.conftest import DESK_SECRETS


def new_id() -> str:
    return uuid.uuid4().hex[:16]


def rasa_user_texts(stack, conversation_id: str) -> list:
    tracker = requests.get(f"{stack.rasa_url}/conversations/{conversation_id}/tracker", timeout=30).json()
    return [event.get("text") for event in tracker["events"] if event["event"] == "user"]


# --- REST API -----------------------------------------------------------------------

@pytest.mark.parametrize("language,greeting", [("de", "Guten Tag!"), ("ru", "Здравствуйте!")])
def test_api_conversation_in_the_customers_language(desk, responses, language, greeting):
    conversation = new_id()
    answer = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": greeting})
    assert answer.status_code == 200, answer.text
    assert [r["text"] for r in answer.json()["replies"]] == [responses["utter_greet"][language]]
    transcript = desk.api("GET", f"/api/v1/conversations/{conversation}").json()
    assert transcript["conversation"]["state"] == "bot"
    assert transcript["conversation"]["language"] == language
    assert [(m["author"], m["text"]) for m in transcript["messages"]] == [
        ("customer", greeting), ("bot", responses["utter_greet"][language])]


def test_handoff_queues_the_conversation_and_keeps_later_messages_from_rasa(desk, stack, responses):
    conversation = new_id()
    sensitive = "Mein Vater ist gestorben, ich muss sein Konto auflösen."
    answer = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": sensitive}).json()
    assert [r["text"] for r in answer["replies"]][0] == responses["utter_handoff_bereavement"]["de"]
    assert answer["replies"][1]["author"] == "system"  # the place in the queue (tests/test_console.py)
    queued = answer["conversation"]
    assert queued["state"] == "queued"
    assert "sensitive:bereavement" in queued["reasons"]
    assert (queued["skill"], queued["priority"], queued["language"]) == ("care", "high", "de")

    later = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": "Hallo, ist da jemand?"})
    assert later.status_code == 200 and later.json()["replies"] == []
    assert rasa_user_texts(stack, queued["id"]) == [sensitive]
    messages = desk.api("GET", f"/api/v1/conversations/{conversation}").json()["messages"]
    assert [m["text"] for m in messages if m["author"] == "customer"] == [sensitive, "Hallo, ist da jemand?"]


def test_api_refuses_bad_requests_with_clear_errors(desk):
    path = f"/api/v1/conversations/{new_id()}/messages"
    no_key = requests.post(f"{desk.url}{path}", json={"text": "hi"}, timeout=30)
    assert no_key.status_code == 401 and "X-API-Key" in no_key.json()["error"]
    assert desk.api("POST", path, data="{not json").json() == {"error": "The body is not valid JSON."}
    assert desk.api("POST", path, json=["a list"]).status_code == 400
    assert desk.api("POST", path, json={"text": "   "}).status_code == 400
    too_long = desk.api("POST", path, json={"text": "x" * 4001})
    assert too_long.status_code == 413 and "4000" in too_long.json()["error"]
    huge = desk.api("POST", path, data=b"{" + b" " * 100_000 + b"}", headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and "too large" in huge.json()["error"]
    bad_id = desk.api("POST", "/api/v1/conversations/bad id!/messages", json={"text": "hi"})
    assert bad_id.status_code == 400
    assert desk.api("GET", f"/api/v1/conversations/{new_id()}").status_code == 404


def test_api_message_id_makes_a_retry_harmless(desk):
    conversation, text = new_id(), f"Hello there {new_id()}"
    first = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": text, "message_id": "m-1"})
    again = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": text, "message_id": "m-1"})
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert again.json()["replies"] == []
    assert desk.stored(text) == 1


def test_rate_limit_per_sender(desk):
    conversation = new_id()
    statuses = [
        desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": f"hi {n}"}).status_code
        for n in range(13)
    ]
    assert statuses == [200] * 12 + [429]
    other = desk.api("POST", f"/api/v1/conversations/{new_id()}/messages", json={"text": "hi"})
    assert other.status_code == 200  # the limit is per sender


# --- Telegram -----------------------------------------------------------------------

def telegram_update(update_id: int, chat_id: int, text: str, language: str = "de") -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "text": text, "chat": {"id": chat_id, "type": "private"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": language}}}


def post_telegram(desk, body, secret=DESK_SECRETS["TELEGRAM_SECRET"], **kwargs) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(f"{desk.url}/webhooks/telegram", json=body, headers=headers, timeout=60, **kwargs)


@pytest.mark.parametrize("language,greeting", [("de", "Guten Morgen"), ("id", "Selamat pagi kak")])
def test_telegram_conversation(desk, responses, language, greeting):
    chat_id = uuid.uuid4().int % 10**9
    answer = post_telegram(desk, telegram_update(chat_id, chat_id, greeting, language))
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    sent = desk.platform.wait_for(f"/bot{DESK_SECRETS['TELEGRAM_TOKEN']}/sendMessage",
                                  lambda body: body["chat_id"] == str(chat_id))
    assert [c.body for c in sent] == [{"chat_id": str(chat_id), "text": responses["utter_greet"][language]}]


def test_telegram_refuses_forgeries_and_ignores_repeats(desk):
    chat_id = uuid.uuid4().int % 10**9
    text = f"Hallo {new_id()}"
    update = telegram_update(chat_id, chat_id, text)
    assert post_telegram(desk, update, secret=None).status_code == 403
    assert post_telegram(desk, update, secret="guessed").status_code == 403
    assert desk.stored(text) == 0
    assert post_telegram(desk, update).json()["status"] == "ok"
    assert post_telegram(desk, update).json()["status"] == "duplicate"
    assert desk.stored(text) == 1
    assert len(desk.platform.sent("/sendMessage", lambda body: body["chat_id"] == str(chat_id))) == 1


def test_telegram_malformed_updates(desk):
    assert post_telegram(desk, {"message": {"text": "no update id"}}).status_code == 400
    bad_json = requests.post(f"{desk.url}/webhooks/telegram", data="{oops", timeout=30,
                             headers={"X-Telegram-Bot-Api-Secret-Token": DESK_SECRETS["TELEGRAM_SECRET"]})
    assert bad_json.status_code == 400 and bad_json.json()["error"] == "The body is not valid JSON."
    sticker = {"update_id": 5, "message": {"message_id": 5, "chat": {"id": 5}, "sticker": {}}}
    assert post_telegram(desk, sticker).json()["status"] == "ignored"


# --- Messenger ----------------------------------------------------------------------

def messenger_body(psid: str, mid: str, text: str) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "page", "time": 1, "messaging": [
        {"sender": {"id": psid}, "recipient": {"id": "page"}, "timestamp": 1,
         "message": {"mid": mid, "text": text}}]}]}).encode()


def post_messenger(desk, body: bytes, signature=None) -> requests.Response:
    signature = signature_of(body, DESK_SECRETS["MESSENGER_APP_SECRET"]) if signature is None else signature
    return requests.post(f"{desk.url}/webhooks/messenger", data=body, timeout=60,
                         headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})


def test_messenger_verification_handshake(desk):
    good = requests.get(f"{desk.url}/webhooks/messenger", timeout=30, params={
        "hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"})
    assert good.status_code == 200 and good.text == "12345"
    bad = requests.get(f"{desk.url}/webhooks/messenger", timeout=30, params={
        "hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "12345"})
    assert bad.status_code == 403


@pytest.mark.parametrize("language,greeting", [("ru", "Привет, добрый вечер"), ("en", "Good evening!")])
def test_messenger_conversation(desk, responses, language, greeting):
    psid = new_id()
    assert post_messenger(desk, messenger_body(psid, f"m.{psid}", greeting)).status_code == 200
    sent = desk.platform.wait_for("/me/messages", lambda body: body["recipient"]["id"] == psid)
    assert [c.body["message"] for c in sent] == [{"text": responses["utter_greet"][language]}]
    assert sent[0].query == {"access_token": DESK_SECRETS["MESSENGER_PAGE_TOKEN"]}


def test_messenger_refuses_forged_signatures_and_ignores_repeats(desk):
    psid, text = new_id(), f"Hello {new_id()}"
    body = messenger_body(psid, f"m.{psid}", text)
    assert post_messenger(desk, body, signature="").status_code == 403
    assert post_messenger(desk, body, signature="sha256=" + "0" * 64).status_code == 403
    tampered = body.replace(b"Hello", b"Hallo")
    assert post_messenger(desk, tampered, signature=signature_of(body, "app-secret")).status_code == 403
    assert desk.stored(text) == 0
    assert post_messenger(desk, body).json()["duplicates"] == 0
    assert post_messenger(desk, body).json()["duplicates"] == 1
    assert desk.stored(text) == 1
    assert post_messenger(desk, b'{"object": "page"}').status_code == 400


# --- When the bot cannot answer -------------------------------------------------------

def test_rasa_down_queues_the_conversation_and_loses_nothing(desk_without_bot):
    conversation, text = new_id(), "Wo bleibt meine Bestellung?"
    answer = desk_without_bot.api("POST", f"/api/v1/conversations/{conversation}/messages",
                                  json={"text": text, "language": "de"})
    assert answer.status_code == 200
    body = answer.json()
    assert [r["text"] for r in body["replies"]] == [notice("bot_unavailable", "de")]
    assert body["conversation"]["state"] == "queued"
    assert body["conversation"]["reasons"] == ["action_failed"]
    messages = desk_without_bot.api("GET", f"/api/v1/conversations/{conversation}").json()["messages"]
    assert [(m["author"], m["text"]) for m in messages] == [
        ("customer", text), ("system", notice("bot_unavailable", "de"))]


def test_a_rasa_restart_mid_conversation_loses_nothing(desk, stack, responses):
    conversation = new_id()
    first = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": "Guten Abend!"}).json()
    public_id = first["conversation"]["id"]
    stack.rasa.stop()
    stack.rasa.start()
    after = desk.api("POST", f"/api/v1/conversations/{conversation}/messages", json={"text": "ok"}).json()
    # "ok" alone says nothing about the language: German comes from the resumed tracker.
    assert after["conversation"]["state"] == "bot"
    assert [r["text"] for r in after["replies"]] == [responses["utter_affirm_ack"]["de"]]
    assert rasa_user_texts(stack, public_id) == ["Guten Abend!", "ok"]


# --- Web widget protocol (socket.io) --------------------------------------------------

class WidgetClient:
    """A socket.io client speaking rasa-webchat's protocol (polling: see DESIGN.md)."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient()
        self.events: "asyncio.Queue[tuple]" = asyncio.Queue()
        for name in ("session_confirm", "bot_uttered", "error"):
            self.sio.on(name, self._recorder(name))

    def _recorder(self, name):
        async def record(data=None):
            await self.events.put((name, data))
        return record

    async def open(self, url: str, session_id=None) -> str:
        await self.sio.connect(url, transports=["polling"], socketio_path="/socket.io")
        await self.sio.emit("session_request", {"session_id": session_id})
        name, data = await asyncio.wait_for(self.events.get(), 30)
        assert name == "session_confirm"
        return data

    async def next(self, timeout: float = 30) -> tuple:
        return await asyncio.wait_for(self.events.get(), timeout)


async def test_widget_protocol_session_rooms_and_errors(desk, responses):
    first, second = WidgetClient(), WidgetClient()
    session_id = await first.open(desk.url)
    assert isinstance(session_id, str) and len(session_id) >= 8
    assert await second.open(desk.url, session_id) == session_id  # a second tab, same session
    try:
        await first.sio.emit("user_uttered", {"message": "Halo, selamat siang", "session_id": session_id,
                                              "customData": {"language": "id"}})
        expected = ("bot_uttered", {"text": responses["utter_greet"]["id"]})
        assert await first.next() == expected
        assert await second.next() == expected  # both tabs see the reply

        await first.sio.emit("user_uttered", "not an object")
        name, data = await first.next()
        assert name == "error" and "object" in data["error"]
        await first.sio.emit("user_uttered", {"message": "x" * 4001, "session_id": session_id})
        name, data = await first.next()
        assert name == "error" and data["status"] == 413
    finally:
        await first.sio.disconnect()
        await second.sio.disconnect()
