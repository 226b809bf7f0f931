"""Handoffs through the REST channel with the real servers."""

from __future__ import annotations


def handoffs(messages):
    return [m["custom"]["handoff"] for m in messages if "handoff" in (m.get("custom") or {})]


def test_german_bereavement_is_handed_to_care_with_empathy(talk, sender, responses):
    messages = talk(sender, "Mein Mann ist letzte Woche gestorben und sein Konto muss aufgelöst werden.", raw=True)
    texts = [m["text"] for m in messages if "text" in m]
    assert texts == [responses["utter_handoff_bereavement"]["de"]]
    [payload] = handoffs(messages)
    assert "sensitive:bereavement" in payload["reasons"]
    assert payload["skill"] == "care" and payload["priority"] == "high" and payload["language"] == "de"
    assert "gestorben" in payload["summary"]


def test_asking_for_a_person_hands_off_in_the_customers_language(talk, sender, responses):
    messages = talk(sender, "Я хочу поговорить с живым человеком, а не с ботом", raw=True)
    assert [m["text"] for m in messages if "text" in m] == [responses["utter_handoff_requested"]["ru"]]
    [payload] = handoffs(messages)
    assert payload["reasons"] == ["requested"] and payload["priority"] == "normal" and payload["language"] == "ru"


def test_an_ordinary_question_is_not_handed_off(talk, sender):
    messages = talk(sender, "Halo kak, saya mau cek status pesanan saya", raw=True)
    assert handoffs(messages) == []


def test_handed_off_conversation_waits_for_the_next_message(talk, sender, responses):
    talk(sender, "I want to speak to a real person please", raw=True)
    messages = talk(sender, "Hello there, good afternoon!", raw=True)
    assert handoffs(messages) == []
    assert [m["text"] for m in messages if "text" in m] == [responses["utter_greet"]["en"]]
