"""Handing a conversation to a person: the customer's message and the desk's payload.

The payload is the contract of DESIGN.md; the desk gateway reads it from Rasa's reply.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

SUMMARY_TURNS = 3


def conversation_language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or "en"


def summary(tracker: Tracker) -> str:
    """The customer's last few messages, oldest first: what an agent reads first."""
    texts = [e.get("text") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return " | ".join(text[:200] for text in texts[-SUMMARY_TURNS:])


def hand_off(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reasons: List[str],
    skill: str,
    response: str,
    priority: str = "normal",
) -> None:
    """Tell the customer (``response`` from domain.yml) and send the handoff payload."""
    dispatcher.utter_message(response=response)
    intent = (tracker.latest_message or {}).get("intent") or {}
    dispatcher.utter_message(json_message={"handoff": {
        "reasons": reasons,
        "skill": skill,
        "priority": priority,
        "language": conversation_language(tracker),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "summary": summary(tracker),
        # What the handoff policy measured (intent confidence, margin, sensitivity).
        "scores": (tracker.get_slot("handoff") or {}).get("scores") or {},
    }})


SENSITIVE_PREFIX = "sensitive:"
BILLING_INTENTS = {"check_balance"}
ORDER_INTENTS = {"check_order_status"}


def skill_for(reasons: List[str], intents: List[Optional[str]], active_loop: Optional[str]) -> str:
    """Which agents should take it: care for sensitive topics, else by what was asked."""
    if any(reason.startswith(SENSITIVE_PREFIX) for reason in reasons):
        return "care"
    if active_loop == "balance_form" or BILLING_INTENTS & set(intents):
        return "billing"
    if active_loop == "order_status_form" or ORDER_INTENTS & set(intents):
        return "orders"
    return "technical"


def priority_for(reasons: List[str]) -> str:
    return "high" if any(reason.startswith(SENSITIVE_PREFIX) for reason in reasons) else "normal"


def response_for(reasons: List[str]) -> str:
    """The message the customer reads: written for the topic, never a cheerful one."""
    for reason in reasons:
        if reason.startswith(SENSITIVE_PREFIX):
            return f"utter_handoff_{reason[len(SENSITIVE_PREFIX):]}"
    return "utter_handoff_requested" if "requested" in reasons else "utter_handoff"


class ActionHandoff(Action):
    """Runs when the handoff policy decided: tells the customer, informs the desk."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        decision = tracker.get_slot("handoff") or {}
        reasons = list(decision.get("reasons") or ["requested"])
        intents = [(e.get("parse_data") or {}).get("intent", {}).get("name")
                   for e in tracker.events if e.get("event") == "user"][-3:]
        active_loop = (tracker.active_loop or {}).get("name")
        hand_off(dispatcher, tracker, reasons, skill_for(reasons, intents, active_loop),
                 response_for(reasons), priority_for(reasons))
        return [ActiveLoop(None), SlotSet("requested_slot", None)] if active_loop else []
