"""Order status: a form that gets a valid order number, then the lookup."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.db import OrderReference, get_store
from actions.formatting import local_date
from actions.handoff import conversation_language
from actions.identity import known_customer
from actions.safety import run_safely

SKILL = "orders"


class ValidateOrderStatusForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_order_status_form"

    def validate_order_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        reference = OrderReference.find_in(str(value or ""))
        if reference is None:
            dispatcher.utter_message(response="utter_order_id_invalid")
            return {"order_id": None}
        text = f"{reference.letter}-{reference.number}" if reference.letter else str(reference.number)
        return {"order_id": text}


class ActionOrderStatus(Action):
    def name(self) -> Text:
        return "action_order_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        async def look_up() -> List[Dict[Text, Any]]:
            reference = OrderReference.find_in(tracker.get_slot("order_id") or "")
            if reference is None:
                dispatcher.utter_message(response="utter_order_id_invalid")
                return [SlotSet("order_id", None)]
            store = get_store()
            customer = await known_customer(tracker, store)
            order = await store.find_order(reference, customer.customer_id if customer else None)
            if order is None:
                dispatcher.utter_message(response="utter_order_not_found", order_id=tracker.get_slot("order_id"))
                return [SlotSet("order_id", None)]
            language = conversation_language(tracker)
            dispatcher.utter_message(
                response=f"utter_order_{order.status}",
                order_id=order.code,
                carrier=order.carrier or "-",
                tracking_number=order.tracking_number or "-",
                ordered_date=local_date(order.ordered_on, language),
                expected_date=local_date(order.expected_on, language),
                delivered_date=local_date(order.closed_on, language),
                cancelled_date=local_date(order.closed_on, language),
                returned_date=local_date(order.closed_on, language),
            )
            return [SlotSet("order_id", None)]

        events = await run_safely(self.name(), SKILL, dispatcher, tracker, look_up)
        return events if events is not None else [SlotSet("order_id", None)]
