"""The shop's and bank's records the actions read: customers, accounts, orders.

SQLAlchemy 1.4 in the 2.0 style (``future=True``, ``select()``). Queries are plain
synchronous functions run with ``asyncio.to_thread`` from the actions, so the action
server's event loop never waits on the database. The engine is made from
``DATABASE_URL`` when the store is first opened, never at import.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Callable, List, Optional, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker

Base = declarative_base()
T = TypeVar("T")

ORDER_STATUSES = ("processing", "shipped", "delivered", "cancelled", "returned")
ACCOUNT_TYPES = ("checking", "savings", "credit_card")
_ORDER_ID = re.compile(r"^\s*(?:(?P<letter>[A-Za-z])\s*-\s*|#\s*|№\s*)?(?P<number>\d{4,6})\s*$")
_PBKDF2_ROUNDS = 120_000


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    preferred_language = Column(String(2), nullable=False, default="en")
    accounts = relationship("Account", back_populates="customer")
    orders = relationship("Order", back_populates="customer")
    identities = relationship("ChannelIdentity", back_populates="customer")


class ChannelIdentity(Base):
    """A customer's id on a channel (Telegram user id, Messenger PSID, web login)."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    channel = Column(String(32), nullable=False)
    external_id = Column(String(128), nullable=False)
    verified = Column(Boolean, nullable=False, default=False)
    customer = relationship("Customer", back_populates="identities")


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    number = Column(String(8), unique=True, nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    type = Column(String(16), nullable=False)
    currency = Column(String(3), nullable=False)
    balance = Column(Numeric(14, 2), nullable=False)
    # The second factor: a 6-digit security code, stored as salted PBKDF2 only.
    secret_salt = Column(String(32), nullable=False)
    secret_hash = Column(String(64), nullable=False)
    customer = relationship("Customer", back_populates="accounts")


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    letter = Column(String(1), nullable=False)
    number = Column(Integer, unique=True, nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    status = Column(String(16), nullable=False)
    carrier = Column(String(32))
    tracking_number = Column(String(40))
    ordered_on = Column(Date, nullable=False)
    expected_on = Column(Date)
    closed_on = Column(Date)  # delivered, cancelled or returned on
    items = Column(JSON, nullable=False, default=list)
    customer = relationship("Customer", back_populates="orders")

    @property
    def code(self) -> str:
        return f"{self.letter}-{self.number}"


def hash_secret(secret: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), _PBKDF2_ROUNDS).hex()


@dataclass(frozen=True)
class OrderReference:
    """A parsed order number: ``A-10234``, ``#10234`` and ``10234`` all name one order."""

    number: int
    letter: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> Optional["OrderReference"]:
        match = _ORDER_ID.match(text or "")
        if not match:
            return None
        letter = match.group("letter")
        return cls(int(match.group("number")), letter.upper() if letter else None)

    @classmethod
    def find_in(cls, text: str) -> Optional["OrderReference"]:
        """The first order number anywhere in a sentence ("it's #10234, thanks")."""
        for candidate in re.findall(r"(?:(?<![A-Za-z0-9])[A-Za-z]\s*-\s*|#\s*|№\s*)?(?<!\d)\d{4,6}(?!\d)", text or ""):
            reference = cls.parse(candidate)
            if reference:
                return reference
        return None


@dataclass(frozen=True)
class OrderView:
    code: str
    status: str
    carrier: Optional[str]
    tracking_number: Optional[str]
    ordered_on: date
    expected_on: Optional[date]
    closed_on: Optional[date]


@dataclass(frozen=True)
class AccountView:
    """What a verified customer may see; the secret never leaves the database layer."""

    number: str
    type: str
    currency: str
    balance: Decimal


class Store:
    """Read access for the actions; every public method is async and non-blocking."""

    def __init__(self, url: str) -> None:
        connect_args = {"check_same_thread": False} if url.startswith("sqlite") else {}
        self.engine: Engine = create_engine(
            url, future=True, pool_pre_ping=True, hide_parameters=True,
            connect_args=connect_args,
        )
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    async def _run(self, query: Callable[[Session], T]) -> T:
        def in_session() -> T:
            with self._sessions() as session:
                return query(session)

        return await asyncio.to_thread(in_session)

    async def find_order(
        self, reference: OrderReference, customer_id: Optional[int] = None
    ) -> Optional[OrderView]:
        """The order, if it exists (and belongs to ``customer_id`` when one is known)."""

        def query(session: Session) -> Optional[OrderView]:
            statement = select(Order).where(Order.number == reference.number)
            if reference.letter:
                statement = statement.where(Order.letter == reference.letter)
            if customer_id is not None:
                statement = statement.where(Order.customer_id == customer_id)
            order = session.execute(statement).scalar_one_or_none()
            if order is None:
                return None
            return OrderView(order.code, order.status, order.carrier, order.tracking_number,
                             order.ordered_on, order.expected_on, order.closed_on)

        return await self._run(query)

    async def customer_for_identity(self, channel: str, external_id: str) -> Optional[tuple]:
        """(customer id, verified) for a channel identity, or None."""

        def query(session: Session) -> Optional[tuple]:
            identity = session.execute(
                select(ChannelIdentity).where(
                    ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id
                )
            ).scalar_one_or_none()
            return (identity.customer_id, identity.verified) if identity else None

        return await self._run(query)

    async def verified_account(self, number: str, secret: str) -> Optional[AccountView]:
        """The account if ``secret`` is its security code; constant-time comparison."""

        def query(session: Session) -> Optional[AccountView]:
            account = session.execute(select(Account).where(Account.number == number)).scalar_one_or_none()
            if account is None:
                hash_secret(secret, "no-such-account")  # same cost whether or not it exists
                return None
            if not hmac.compare_digest(hash_secret(secret, account.secret_salt), account.secret_hash):
                return None
            return AccountView(account.number, account.type, account.currency, Decimal(account.balance))

        return await self._run(query)

    async def accounts(
        self,
        customer_id: Optional[int] = None,
        number: Optional[str] = None,
        account_type: Optional[str] = None,
    ) -> List[AccountView]:
        """Accounts of a customer, or the one with ``number``; callers verify first."""

        def query(session: Session) -> List[AccountView]:
            statement = select(Account).order_by(Account.number)
            if customer_id is not None:
                statement = statement.where(Account.customer_id == customer_id)
            if number is not None:
                statement = statement.where(Account.number == number)
            if account_type:
                statement = statement.where(Account.type == account_type)
            return [AccountView(a.number, a.type, a.currency, Decimal(a.balance))
                    for a in session.execute(statement).scalars()]

        return await self._run(query)

    def dispose(self) -> None:
        self.engine.dispose()


def database_url() -> str:
    from bot.settings import Settings

    return Settings.from_env().database_url


_store: Optional[Store] = None


def get_store() -> Store:
    """The process's store, opened from configuration on first use."""
    global _store
    if _store is None:
        _store = Store(database_url())
    return _store
