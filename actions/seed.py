"""``make seed``: a deterministic demo database (same data on every machine and run).

60 customers in four languages; orders in every status; accounts of every type in EUR,
USD, RUB and IDR. Security codes are derived from the seed, stored only hashed, and
printed here for one example customer per language so a newcomer can try the balance flow.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import List, Optional

from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from actions.db import (
    ACCOUNT_TYPES,
    ORDER_STATUSES,
    Account,
    ChannelIdentity,
    Customer,
    Order,
    hash_secret,
)
from actions.migrate import migrate

SEED = 20261125
CUSTOMERS = 60
TODAY = date(2026, 11, 25)
CARRIERS = ("DHL", "UPS", "FedEx", "Hermes", "JNE", "SDEK")
CURRENCY_BY_LANGUAGE = {"en": "USD", "de": "EUR", "ru": "RUB", "id": "IDR"}
NAMES = {
    "en": ["Emma Clarke", "Liam Turner", "Olivia Hughes", "Noah Bennett", "Ava Morgan"],
    "de": ["Anna Schmidt", "Lukas Müller", "Sophie Wagner", "Jonas Becker", "Marie Hoffmann"],
    "ru": ["Анна Иванова", "Дмитрий Смирнов", "Елена Кузнецова", "Иван Попов", "Ольга Соколова"],
    "id": ["Siti Rahayu", "Budi Santoso", "Dewi Lestari", "Agus Wijaya", "Putri Handayani"],
}
PRODUCTS = ["headphones", "phone case", "running shoes", "coffee grinder", "backpack", "desk lamp"]

# Fixed anchors the README and tests rely on: the first customer owns order A-10234.
FIRST_ORDER_NUMBER = 10234


@dataclass(frozen=True)
class Example:
    name: str
    language: str
    order: str
    account_number: str
    account_type: str
    security_code: str
    telegram_id: str


def _build(session: Session, rng: random.Random) -> List[Example]:
    examples: List[Example] = []
    order_number = FIRST_ORDER_NUMBER
    account_number = 40012345
    languages = list(NAMES)
    for index in range(CUSTOMERS):
        language = languages[index % len(languages)]
        name = NAMES[language][(index // len(languages)) % len(NAMES[language])]
        customer = Customer(name=name, preferred_language=language)
        session.add(customer)
        session.flush()
        telegram_id = str(700000 + index)
        session.add(ChannelIdentity(customer_id=customer.id, channel="telegram",
                                    external_id=telegram_id, verified=index % 3 == 0))

        first_account: Optional[tuple] = None
        for type_index in range(1 + index % 3):
            account_type = ACCOUNT_TYPES[(index + type_index) % len(ACCOUNT_TYPES)]
            currency = CURRENCY_BY_LANGUAGE[language] if type_index == 0 else rng.choice(["EUR", "USD"])
            amount = Decimal(rng.randint(-250_000, 2_500_000)) / 100
            if currency == "IDR":
                amount = Decimal(rng.randint(50, 90_000)) * 1000
            if currency == "RUB":
                amount = Decimal(rng.randint(1_000, 9_000_000)) / 100
            code = f"{rng.randint(0, 999999):06d}"
            salt = f"{rng.getrandbits(64):016x}"
            session.add(Account(number=str(account_number), customer_id=customer.id,
                                type=account_type, currency=currency, balance=amount,
                                secret_salt=salt, secret_hash=hash_secret(code, salt)))
            if first_account is None:
                first_account = (str(account_number), account_type, code)
            account_number += 7

        first_order = None
        for order_index in range(2):
            status = ORDER_STATUSES[(index + order_index) % len(ORDER_STATUSES)]
            ordered = TODAY - timedelta(days=rng.randint(2, 40))
            expected = ordered + timedelta(days=rng.randint(3, 9))
            closed = {"delivered": expected, "cancelled": ordered + timedelta(days=1),
                      "returned": expected + timedelta(days=6)}.get(status)
            carrier = rng.choice(CARRIERS) if status != "cancelled" else None
            letter = "ABCDEFGH"[order_number % 8] if order_number != FIRST_ORDER_NUMBER else "A"
            order = Order(
                letter=letter, number=order_number, customer_id=customer.id, status=status,
                carrier=carrier,
                tracking_number=f"{carrier[:2].upper()}{rng.randint(10**9, 10**10 - 1)}" if carrier else None,
                ordered_on=ordered, expected_on=expected if status in ("processing", "shipped", "delivered") else None,
                closed_on=closed, items=[{"product": rng.choice(PRODUCTS), "quantity": rng.randint(1, 3)}],
            )
            session.add(order)
            first_order = first_order or order
            order_number += 13 if order_number != FIRST_ORDER_NUMBER else 1
        if index < len(languages):  # one example customer per language
            examples.append(Example(name, language, first_order.code, *first_account, telegram_id))
    return examples


def seed(url: str) -> List[Example]:
    """Migrate, empty the tables, load the seed; returns the example customers."""
    migrate(url)
    engine = create_engine(url, future=True)
    try:
        with Session(engine, future=True) as session, session.begin():
            for table in (Order, Account, ChannelIdentity, Customer):
                session.execute(delete(table))
            examples = _build(session, random.Random(SEED))
    finally:
        engine.dispose()
    return examples


def seed_if_empty(url: str) -> Optional[List[Example]]:
    """Seed a new or empty database; leave one with customers alone (returns None)."""
    migrate(url)
    engine = create_engine(url, future=True)
    try:
        with Session(engine, future=True) as session:
            has_customers = session.execute(select(Customer.id).limit(1)).first() is not None
    finally:
        engine.dispose()
    return None if has_customers else seed(url)


def print_examples(examples: List[Example]) -> None:
    print("Example customers to try (one per language):")
    for ex in examples[1:] + examples[:1]:
        print(f"  {ex.name} ({ex.language}): order {ex.order}; {ex.account_type} account "
              f"{ex.account_number}, security code {ex.security_code}; Telegram id {ex.telegram_id}")


def main() -> int:
    from actions.db import database_url

    url = database_url()
    print(f"Seeding {url.split('@')[-1]} ...", flush=True)
    print_examples(seed(url))
    print(f"Seeded {CUSTOMERS} customers with orders in every status and accounts in 4 currencies.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
