"""No stack trace ever reaches a customer: failures become an apology and a handoff."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off

logger = logging.getLogger(__name__)


async def run_safely(
    action_name: str,
    skill: str,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    body: Callable[[], Awaitable[List[Dict[str, Any]]]],
) -> Optional[List[Dict[str, Any]]]:
    """Run ``body``; on any error log it (conversation id, no customer data), apologise
    in the customer's language, hand off with reason ``action_failed`` and return None."""
    try:
        return await body()
    except Exception as error:  # noqa: BLE001 - every failure must reach a person
        logger.error(
            "Action %s failed in conversation %s: %s: %s",
            action_name, tracker.sender_id, type(error).__name__, error,
            exc_info=logger.isEnabledFor(logging.DEBUG),
        )
        dispatcher.messages.clear()  # drop a half-built answer
        hand_off(dispatcher, tracker, ["action_failed"], skill, "utter_action_failed")
        return None
