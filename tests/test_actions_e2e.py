"""Order status and balance through the REST channel: real Rasa, action server and
database (SQLite, and PostgreSQL when TEST_POSTGRES=1 or in CI), in four languages."""

from __future__ import annotations

import asyncio

import pytest

from actions.db import OrderReference, Store
from actions.formatting import local_amount, local_date, masked_account
from tests.conftest import ARTIFACTS

ORDER_QUESTION = {"en": "Where is my order?", "de": "Wo ist meine Bestellung?",
                  "ru": "Где мой заказ?", "id": "Pesanan saya di mana?"}
BALANCE_QUESTION = {"en": "What is my account balance?", "de": "Wie hoch ist mein Kontostand?",
                    "ru": "Какой у меня баланс на счёте?", "id": "Berapa saldo rekening saya?"}
LANGUAGES = list(ORDER_QUESTION)


@pytest.fixture
def examples(stack):
    return {example.language: example for example in stack.examples}


def expected_order_text(stack, responses, code: str, language: str) -> str:
    store = Store(stack.database.url)
    try:
        order = asyncio.run(store.find_order(OrderReference.find_in(code)))
    finally:
        store.dispose()
    closed = local_date(order.closed_on, language)
    return responses[f"utter_order_{order.status}"][language].format(
        order_id=order.code, carrier=order.carrier or "-", tracking_number=order.tracking_number or "-",
        ordered_date=local_date(order.ordered_on, language), expected_date=local_date(order.expected_on, language),
        delivered_date=closed, cancelled_date=closed, returned_date=closed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_order_status_in_each_language(talk, sender, responses, stack, language):
    assert talk(sender, ORDER_QUESTION[language]) == [responses["utter_ask_order_id"][language]]
    assert talk(sender, "A-10234") == [expected_order_text(stack, responses, "A-10234", language)]


def test_order_number_in_the_first_message_in_german(talk, sender, responses, stack):
    replies = talk(sender, "Wo ist meine Bestellung A-10234?")
    assert replies == [expected_order_text(stack, responses, "A-10234", "de")]


@pytest.mark.parametrize("language", ["de", "id"])
def test_malformed_and_unknown_order_numbers(talk, sender, responses, language):
    talk(sender, ORDER_QUESTION[language])
    assert talk(sender, "12")[0] == responses["utter_order_id_invalid"][language]
    not_found = talk(sender, "#99999")
    assert not_found == [responses["utter_order_not_found"][language].format(order_id="99999")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_balance_after_verification(talk, sender, responses, stack, examples, language):
    example = examples[language]
    assert talk(sender, BALANCE_QUESTION[language]) == [responses["utter_ask_account_number"][language]]
    assert talk(sender, example.account_number) == [responses["utter_ask_security_code"][language]]
    replies = talk(sender, example.security_code)
    store = Store(stack.database.url)
    try:
        [account] = asyncio.run(store.accounts(number=example.account_number))
    finally:
        store.dispose()
    amount = local_amount(account.balance, account.currency, language)
    assert replies == [responses[f"utter_balance_{account.type}"][language].format(
        account_number=masked_account(account.number), amount=amount)]
    for log in (ARTIFACTS / "logs" / stack.backend).glob("*.log"):
        text = log.read_text(errors="replace")
        for secret in (example.security_code, example.account_number, amount):
            assert secret not in text, f"{log.name} contains a customer secret"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_three_failed_verifications_hand_off(talk, sender, responses, examples, language):
    example = examples[language]
    wrong = "000000" if example.security_code != "000000" else "111111"
    talk(sender, BALANCE_QUESTION[language])
    for attempt in (1, 2):
        talk(sender, example.account_number)
        replies = talk(sender, wrong)
        assert replies[0] == responses["utter_verification_failed"][language].format(attempts_left=3 - attempt)
    talk(sender, example.account_number)
    messages = talk(sender, wrong, raw=True)
    texts = [m["text"] for m in messages if "text" in m]
    handoffs = [m["custom"]["handoff"] for m in messages if "custom" in m]
    assert texts == [responses["utter_verification_locked"][language]]
    assert handoffs and handoffs[0]["reasons"] == ["action_failed"] and handoffs[0]["skill"] == "billing"
    assert handoffs[0]["language"] == language
    # Locked for the rest of the conversation, even with the right code.
    assert talk(sender, BALANCE_QUESTION[language]) == [responses["utter_verification_locked"][language]]


def test_database_stopped_mid_conversation(talk, sender, responses, stack):
    assert talk(sender, ORDER_QUESTION["ru"]) == [responses["utter_ask_order_id"]["ru"]]
    stack.database.stop()
    try:
        messages = talk(sender, "A-10234", raw=True)
    finally:
        stack.database.start()
    assert [m["text"] for m in messages if "text" in m] == [responses["utter_action_failed"]["ru"]]
    [handoff] = [m["custom"]["handoff"] for m in messages if "custom" in m]
    assert handoff["reasons"] == ["action_failed"] and handoff["skill"] == "orders" and handoff["language"] == "ru"
    # The database is back: the next question is answered normally.
    assert talk(sender, ORDER_QUESTION["ru"]) == [responses["utter_ask_order_id"]["ru"]]
