"""What an agent sees beside a conversation: the customer's orders and accounts.

Read-only, from the actions' database (the same ``DATABASE_URL``). The customer is
known when the channel verified who they are (a Telegram or Messenger identity linked
to a customer); otherwise the agent sees the orders the customer named in the chat.
Name, account balances and the tracking of orders are shown only for a customer the
channel verified.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from actions.db import Account, ChannelIdentity, Customer, Order, OrderReference
from bot.desk.storage import ConversationView


def _order_json(order: Order, theirs: bool) -> Dict[str, Any]:
    """An order named in the chat by someone not verified as its owner shows its status
    only: anyone can type an order number."""
    shown = {"code": order.code, "status": order.status, "ordered_on": order.ordered_on.isoformat(),
             "expected_on": order.expected_on.isoformat() if order.expected_on else None, "verified": theirs}
    if theirs:
        shown.update(carrier=order.carrier, tracking_number=order.tracking_number)
    return shown


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
    verified_customer = identity.customer_id if identity is not None and identity.verified else None
    context: Dict[str, Any] = {"customer": None, "accounts": [],
                               "orders": [_order_json(order, order.customer_id == verified_customer) for order in orders]}
    if identity is not None:
        customer = session.get(Customer, identity.customer_id)
        context["customer"] = {"verified": bool(identity.verified)}
        if identity.verified:
            context["customer"].update(name=customer.name, preferred_language=customer.preferred_language)
            context["accounts"] = [
                {"number": a.number, "type": a.type, "currency": a.currency, "balance": str(a.balance)}
                for a in session.execute(select(Account).where(Account.customer_id == customer.id)
                                         .order_by(Account.number)).scalars()
            ]
    return context
