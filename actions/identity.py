"""Who the customer is, when the channel says so.

The desk gateway, which verifies channel identities (Telegram, Messenger, a logged-in
web session), passes them to Rasa as message metadata:
``{"identity": {"channel": "telegram", "external_id": "700001"}}``. Rasa's REST
channel is for the gateway and trusted integrations, not for the public internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from rasa_sdk import Tracker

from actions.db import Store


@dataclass(frozen=True)
class KnownCustomer:
    customer_id: int
    verified: bool


def _identity(tracker: Tracker) -> Optional[dict]:
    for source in (
        (tracker.latest_message or {}).get("metadata"),
        tracker.get_slot("session_started_metadata"),
    ):
        identity = (source or {}).get("identity") if isinstance(source, dict) else None
        if isinstance(identity, dict) and identity.get("channel") and identity.get("external_id"):
            return identity
    return None


async def known_customer(tracker: Tracker, store: Store) -> Optional[KnownCustomer]:
    identity = _identity(tracker)
    if identity is None:
        return None
    found = await store.customer_for_identity(str(identity["channel"]), str(identity["external_id"]))
    return KnownCustomer(*found) if found else None
