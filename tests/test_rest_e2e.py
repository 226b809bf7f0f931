"""End to end over the REST channel: real Rasa server and action server on free ports."""

from __future__ import annotations

import re

import pytest
import requests

GREETINGS = {
    "en": "Hello there, good afternoon!",
    "de": "Hallo, guten Tag zusammen!",
    "ru": "Здравствуйте, добрый день!",
    "id": "Halo kak, selamat siang!",
}
ORDER_QUESTIONS = {
    "en": "Where is my parcel? It still hasn't arrived",
    "de": "Wo ist mein Paket? Es ist immer noch nicht angekommen",
    "ru": "Где моя посылка? Она до сих пор не пришла",
    "id": "Paket saya di mana ya? Sampai sekarang belum datang",
}


@pytest.mark.parametrize("language", GREETINGS)
def test_bot_answers_in_the_customers_language(talk, sender, responses, language):
    assert talk(sender, GREETINGS[language]) == [responses["utter_greet"][language]]
    assert talk(sender, ORDER_QUESTIONS[language]) == [responses["utter_ask_order_id"][language]]


def test_german_conversation_stays_german_on_ok(talk, sender, responses):
    assert talk(sender, "Hallo, guten Tag zusammen!") == [responses["utter_greet"]["de"]]
    assert talk(sender, "ok") == [responses["utter_affirm_ack"]["de"]]


def test_short_messages_keep_the_language(talk, sender, responses):
    talk(sender, "Guten Morgen, ich hätte eine Frage")
    for short in ["hi", "123", "saldo"]:
        replies = talk(sender, short)
        german = {texts["de"] for texts in responses.values()}
        assert replies and all(reply in german for reply in replies), (short, replies)


def test_clear_switch_to_russian_switches(talk, sender, responses):
    assert talk(sender, "Hallo, guten Abend!") == [responses["utter_greet"]["de"]]
    assert talk(sender, "Извините, а можно по-русски? Где мой заказ?") == [responses["utter_ask_order_id"]["ru"]]
    assert talk(sender, "A-10234") != []  # the order form answers; the language stays
    assert talk(sender, "спасибо") == [responses["utter_youre_welcome"]["ru"]]


def test_channel_language_hint_seeds_an_ambiguous_first_message(talk, sender, responses):
    replies = talk(sender, "ok", metadata={"language": "id"})
    indonesian = {texts["id"] for texts in responses.values()}
    assert replies and all(reply in indonesian for reply in replies), replies


@pytest.mark.parametrize("body, status, error", [
    (b"{not json", 400, "valid JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b'{"sender": "x"}', 400, '"message" must be a string'),
    (b'{"sender": "x", "message": "   "}', 400, "must not be empty"),
    (b'{"sender": "", "message": "hi"}', 400, '"sender" must be a non-empty string'),
    (b'{"sender": "x", "message": 42}', 400, '"message" must be a string'),
    (b'{"sender": "x", "message": "hi", "metadata": [1]}', 400, '"metadata" must be a JSON object'),
])
def test_bad_requests_get_a_clear_4xx(rest_url, body, status, error):
    response = requests.post(rest_url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == status
    assert error in response.json()["error"]


def test_oversized_message_is_rejected_and_the_conversation_goes_on(talk, rest_url, sender, responses):
    response = requests.post(rest_url, json={"sender": sender, "message": "a" * 100_000}, timeout=30)
    assert response.status_code == 413
    assert "at most 4000" in response.json()["error"]
    assert talk(sender, "Hallo, guten Tag zusammen!") == [responses["utter_greet"]["de"]]


def is_a_domain_response(reply: str, responses) -> bool:
    """The reply is one of domain.yml's texts, with any {placeholders} filled in."""
    for texts in responses.values():
        for text in texts.values():
            pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(text))
            if re.fullmatch(pattern, reply, flags=re.S):
                return True
    return False


@pytest.mark.parametrize("text", ["😀😀😀", "🙏", "Hello привет hallo halo", "Where is мой заказ A-10234?", "?!?!"])
def test_odd_messages_get_a_sensible_reply(talk, sender, responses, text):
    replies = talk(sender, text)
    assert replies and all(is_a_domain_response(reply, responses) for reply in replies), replies
