"""What an agent sees beside a conversation: the customer's orders and accounts.

Read-only, from the actions' database (the same ``DATABASE_URL``). The customer is
known when the channel verified who they are (a Telegram or Messenger identity linked
to a customer); otherwise the agent sees the orders the customer named in the chat.
Account balances are shown only for a known, verified customer.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from actions.db import Account, ChannelIdentity, Customer, Order, OrderReference
from bot.desk.storage import ConversationView


def _order_json(order: Order) -> Dict[str, Any]:
    return {"code": order.code, "status": order.status, "carrier": order.carrier,
            "tracking_number": order.tracking_number, "ordered_on": order.ordered_on.isoformat(),
            "expected_on": order.expected_on.isoformat() if order.expected_on else None}


def customer_context(session: Session, conversation: ConversationView, customer_texts: Iterable[str]) -> Dict[str, Any]:
    identity = session.execute(select(ChannelIdentity).where(
        ChannelIdentity.channel == conversation.channel,
        ChannelIdentity.external_id == conversation.external_id)).scalar_one_or_none()
    references = {ref for ref in (OrderReference.find_in(text) for text in customer_texts) if ref}
    conditions = [Order.number == ref.number if ref.letter is None else
                  (Order.number == ref.number) & (Order.letter == ref.letter) for ref in references]
    if identity is not None:
        conditions.append(Order.customer_id == identity.customer_id)
    orders: List[Order] = list(session.execute(
        select(Order).where(or_(*conditions)).order_by(Order.ordered_on.desc()).limit(20)).scalars()
    ) if conditions else []
    context: Dict[str, Any] = {"customer": None, "orders": [_order_json(order) for order in orders], "accounts": []}
    if identity is not None:
        customer = session.get(Customer, identity.customer_id)
        context["customer"] = {"name": customer.name, "verified": bool(identity.verified),
                               "preferred_language": customer.preferred_language}
        if identity.verified:
            context["accounts"] = [
                {"number": a.number, "type": a.type, "currency": a.currency, "balance": str(a.balance)}
                for a in session.execute(select(Account).where(Account.customer_id == customer.id)
                                         .order_by(Account.number)).scalars()
            ]
    return context
