"""Account balance: shown only to a verified customer.

Verification is the account number plus the 6-digit security code (or a verified
channel identity). Three failed attempts lock verification for the conversation and hand
off with reason ``action_failed``. Account numbers and codes are never logged, and the
code never stays in the tracker: the slot is cleared as soon as it was checked.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.db import get_store
from actions.formatting import local_amount, masked_account
from actions.handoff import conversation_language, hand_off
from actions.identity import known_customer
from actions.safety import run_safely

SKILL = "billing"
MAX_ATTEMPTS = 3
_ACCOUNT_NUMBER = re.compile(r"(?<!\d)\d{8}(?!\d)")
_SECURITY_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def _digits_only(value: Any, pattern: re.Pattern) -> Optional[str]:
    match = pattern.search(re.sub(r"[\s-]", "", str(value or "")))
    return match.group(0) if match else None


class ValidateBalanceForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_balance_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("verification_locked") or tracker.get_slot("verified_account"):
            return []
        customer = await known_customer(tracker, get_store())
        if customer and customer.verified:
            return []
        return domain_slots

    def validate_account_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        number = _digits_only(value, _ACCOUNT_NUMBER)
        if number is None:
            dispatcher.utter_message(response="utter_account_number_invalid")
        return {"account_number": number}

    async def validate_security_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        code = _digits_only(value, _SECURITY_CODE)
        if code is None:
            dispatcher.utter_message(response="utter_security_code_invalid")
            return {"security_code": None}
        account = await get_store().verified_account(tracker.get_slot("account_number") or "", code)
        if account is not None:
            return {"security_code": None, "verified_account": account.number}
        failures = int(tracker.get_slot("verification_failures") or 0) + 1
        if failures >= MAX_ATTEMPTS:
            return {"security_code": None, "account_number": None,
                    "verification_failures": float(failures), "verification_locked": True}
        dispatcher.utter_message(response="utter_verification_failed", attempts_left=MAX_ATTEMPTS - failures)
        return {"security_code": None, "account_number": None, "verification_failures": float(failures)}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        async def validate() -> List[Dict[Text, Any]]:
            return await super(ValidateBalanceForm, self).run(dispatcher, tracker, domain)

        events = await run_safely(self.name(), SKILL, dispatcher, tracker, validate)
        if events is None:  # already handed off: end the form, tell the next action
            return [SlotSet("requested_slot", None), SlotSet("action_failed", True)]
        return events


class ActionShowBalance(Action):
    def name(self) -> Text:
        return "action_show_balance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        if tracker.get_slot("action_failed"):  # the form failed and handed off already
            return [SlotSet("action_failed", None)]

        async def show() -> List[Dict[Text, Any]]:
            if tracker.get_slot("verification_locked"):
                hand_off(dispatcher, tracker, ["action_failed"], SKILL, "utter_verification_locked")
                return []
            store = get_store()
            account_type = tracker.get_slot("account_type")
            verified = tracker.get_slot("verified_account")
            if verified:
                accounts = await store.accounts(number=verified)
            else:
                customer = await known_customer(tracker, store)
                if not (customer and customer.verified):  # the form must verify first
                    dispatcher.utter_message(response="utter_ask_account_number")
                    return []
                accounts = await store.accounts(customer_id=customer.customer_id, account_type=account_type)
                if not accounts:
                    accounts = await store.accounts(customer_id=customer.customer_id)
            language = conversation_language(tracker)
            for account in accounts:
                dispatcher.utter_message(
                    response=f"utter_balance_{account.type}",
                    account_number=masked_account(account.number),
                    amount=local_amount(account.balance, account.currency, language),
                )
            return [SlotSet("account_type", None)]

        return await run_safely(self.name(), SKILL, dispatcher, tracker, show) or []
