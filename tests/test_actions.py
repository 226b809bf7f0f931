"""Unit tests of the actions on a real SQLite database built from the seed."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.db
from actions.accounts import ActionShowBalance, ValidateBalanceForm
from actions.db import OrderReference, Store
from actions.formatting import local_amount, local_date, masked_account
from actions.orders import ActionOrderStatus, ValidateOrderStatusForm
from actions.seed import seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'support.db'}"
    examples = seed(url)
    return {"url": url, "examples": {example.language: example for example in examples}}


@pytest.fixture
def store(seeded, monkeypatch) -> Store:
    store = Store(seeded["url"])
    monkeypatch.setattr(actions.db, "_store", store)
    yield store
    store.dispose()


def tracker(slots: Optional[Dict[str, Any]] = None, metadata: Optional[dict] = None, text: str = "") -> Tracker:
    latest = {"text": text, "intent": {"name": "inform", "confidence": 0.93}, "entities": [],
              "metadata": metadata or {}}
    events = [{"event": "user", "text": text}] if text else []
    return Tracker("conversation-1", slots or {}, latest, events, False, None, {}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [message.get("response") for message in dispatcher.messages if message.get("response")]


def handoff_payload(dispatcher: CollectingDispatcher) -> Optional[dict]:
    payloads = [m["custom"]["handoff"] for m in dispatcher.messages if (m.get("custom") or {}).get("handoff")]
    return payloads[0] if payloads else None


@pytest.mark.parametrize("text, expected", [
    ("A-10234", OrderReference(10234, "A")), ("a - 10234", OrderReference(10234, "A")),
    ("#10234", OrderReference(10234)), ("10234", OrderReference(10234)),
    ("it's order #55120, thanks", OrderReference(55120)), ("№ 77231", OrderReference(77231)),
    ("hello", None), ("12", None), ("1234567", None), ("", None),
])
def test_order_reference_formats(text, expected):
    assert OrderReference.find_in(text) == expected


def test_order_form_rejects_a_malformed_number():
    dispatcher = CollectingDispatcher()
    result = ValidateOrderStatusForm().validate_order_id("my order from monday", dispatcher, tracker(), {})
    assert result == {"order_id": None}
    assert responses(dispatcher) == ["utter_order_id_invalid"]


def test_order_form_normalises_the_number():
    result = ValidateOrderStatusForm().validate_order_id("it's a-10234", CollectingDispatcher(), tracker(), {})
    assert result == {"order_id": "A-10234"}


@pytest.mark.parametrize("language", ["en", "de", "ru", "id"])
async def test_order_status_is_answered_with_local_dates(store, language):
    order = await store.find_order(OrderReference(10234, "A"))
    dispatcher = CollectingDispatcher()
    events = await ActionOrderStatus().run(dispatcher, tracker({"order_id": "#10234", "language": language}), {})
    assert events == [{"event": "slot", "timestamp": None, "name": "order_id", "value": None}]
    [message] = dispatcher.messages
    assert message["response"] == f"utter_order_{order.status}"
    assert message["order_id"] == "A-10234"
    assert message["ordered_date"] == local_date(order.ordered_on, language)
    assert message["expected_date"] == local_date(order.expected_on, language)


def test_dates_and_amounts_follow_the_language():
    from datetime import date
    from decimal import Decimal

    assert local_date(date(2026, 3, 5), "de") == "5. März 2026"
    assert local_date(date(2026, 3, 5), "en") == "March 5, 2026"
    assert "марта 2026" in local_date(date(2026, 3, 5), "ru")
    assert local_amount(Decimal("1234.5"), "EUR", "de") == "1.234,50\xa0€"
    assert local_amount(Decimal("1234.5"), "USD", "en") == "$1,234.50"
    assert local_amount(Decimal("1500000"), "IDR", "id").startswith("Rp")
    assert masked_account("40012345") == "••••2345"


async def test_unknown_order_is_said_clearly(store):
    dispatcher = CollectingDispatcher()
    await ActionOrderStatus().run(dispatcher, tracker({"order_id": "99999"}), {})
    assert responses(dispatcher) == ["utter_order_not_found"]
    assert dispatcher.messages[0]["order_id"] == "99999"


async def test_identified_customer_sees_only_own_orders(store, seeded):
    german, english = seeded["examples"]["de"], seeded["examples"]["en"]
    identity = {"identity": {"channel": "telegram", "external_id": german.telegram_id}}
    own, other = CollectingDispatcher(), CollectingDispatcher()
    await ActionOrderStatus().run(own, tracker({"order_id": german.order}, identity), {})
    await ActionOrderStatus().run(other, tracker({"order_id": english.order}, identity), {})
    assert responses(own)[0].startswith("utter_order_") and responses(own) != ["utter_order_not_found"]
    assert responses(other) == ["utter_order_not_found"]


async def test_verification_succeeds_with_the_right_code(store, seeded):
    example = seeded["examples"]["ru"]
    form = ValidateBalanceForm()
    result = await form.validate_security_code(
        f"код {example.security_code}", CollectingDispatcher(),
        tracker({"account_number": example.account_number}), {})
    assert result == {"security_code": None, "verified_account": example.account_number}

    dispatcher = CollectingDispatcher()
    await ActionShowBalance().run(dispatcher, tracker({"verified_account": example.account_number, "language": "ru"}), {})
    [account] = await store.accounts(number=example.account_number)
    [message] = dispatcher.messages
    assert message["response"] == f"utter_balance_{account.type}"
    assert message["amount"] == local_amount(account.balance, account.currency, "ru")
    assert message["account_number"] == masked_account(example.account_number)


async def test_three_failed_verifications_lock_and_hand_off(store, seeded, caplog):
    caplog.set_level(logging.DEBUG)
    example = seeded["examples"]["de"]
    form = ValidateBalanceForm()
    slots: Dict[str, Any] = {"account_number": example.account_number, "language": "de"}
    wrong = "000000" if example.security_code != "000000" else "111111"
    for attempt in (1, 2):
        dispatcher = CollectingDispatcher()
        result = await form.validate_security_code(wrong, dispatcher, tracker(slots), {})
        assert responses(dispatcher) == ["utter_verification_failed"]
        assert dispatcher.messages[0]["attempts_left"] == 3 - attempt
        assert result["verification_failures"] == attempt and result["account_number"] is None
        slots["verification_failures"] = result["verification_failures"]
    result = await form.validate_security_code(wrong, CollectingDispatcher(), tracker(slots), {})
    assert result["verification_locked"] is True

    # Even the right code is refused now: the form asks for nothing and the bot hands off.
    locked = {**slots, "verification_locked": True}
    assert await form.required_slots(["account_number", "security_code"], CollectingDispatcher(), tracker(locked), {}) == []
    dispatcher = CollectingDispatcher()
    await ActionShowBalance().run(dispatcher, tracker(locked, text="mein Kontostand bitte"), {})
    assert responses(dispatcher) == ["utter_verification_locked"]
    assert handoff_payload(dispatcher) == {
        "reasons": ["action_failed"], "skill": "billing", "priority": "normal",
        "language": "de", "confidence": 0.93, "summary": "mein Kontostand bitte", "scores": {}}
    assert example.account_number not in caplog.text and wrong not in caplog.text


async def test_verified_channel_identity_skips_the_questions(store, seeded):
    english = seeded["examples"]["en"]  # customer 0: its Telegram identity is verified
    metadata = {"identity": {"channel": "telegram", "external_id": english.telegram_id}}
    assert await ValidateBalanceForm().required_slots(
        ["account_number", "security_code"], CollectingDispatcher(), tracker({}, metadata), {}) == []
    dispatcher = CollectingDispatcher()
    await ActionShowBalance().run(dispatcher, tracker({}, metadata), {})
    assert responses(dispatcher) and all(r.startswith("utter_balance_") for r in responses(dispatcher))


async def test_database_failure_apologises_and_hands_off(tmp_path, monkeypatch, caplog):
    broken = Store(f"sqlite:///{tmp_path / 'empty.db'}")  # no tables: every query fails
    monkeypatch.setattr(actions.db, "_store", broken)
    dispatcher = CollectingDispatcher()
    events = await ActionOrderStatus().run(dispatcher, tracker({"order_id": "A-10234", "language": "id"}, text="cek A-10234"), {})
    assert events == [{"event": "slot", "timestamp": None, "name": "order_id", "value": None}]
    assert responses(dispatcher) == ["utter_action_failed"]
    payload = handoff_payload(dispatcher)
    assert payload["reasons"] == ["action_failed"] and payload["skill"] == "orders" and payload["language"] == "id"
    assert "conversation-1" in caplog.text and "Traceback" not in "".join(str(m) for m in dispatcher.messages)
