"""Handing a conversation to a person: the customer's message and the desk's payload.

The payload is the contract of DESIGN.md; the desk gateway reads it from Rasa's reply.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
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
    }})
