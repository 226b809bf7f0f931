"""The gateway's record of every conversation: who wrote what, on which channel, and
who owns the conversation now (the bot, the queue, an agent, or nobody once closed).

SQLAlchemy 1.4 in the 2.0 style, like the actions' store; every query is a plain
function run with ``asyncio.to_thread`` so the gateway's event loop never waits on the
database. Duplicate webhook deliveries are refused by a unique constraint on the
platform's message id, so a retry can never store a message twice, even when two
deliveries race.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, TypeVar

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, declarative_base, sessionmaker

from actions.migrate import upgrade

Base = declarative_base()
T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "desk_alembic_version"

STATES = ("bot", "queued", "agent", "closed")
AUTHORS = ("customer", "bot", "agent", "system")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes; every time we store is UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment


class Conversation(Base):
    __tablename__ = "desk_conversations"
    id = Column(Integer, primary_key=True)
    public_id = Column(String(32), unique=True, nullable=False)
    channel = Column(String(16), nullable=False)
    external_id = Column(String(128), nullable=False, index=True)
    state = Column(String(8), nullable=False, default="bot")
    language = Column(String(2))
    reasons = Column(JSON, nullable=False, default=list)
    skill = Column(String(16))
    priority = Column(String(8))
    confidence = Column(Float)
    summary = Column(Text)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    queued_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    scores = Column(JSON)  # the handoff policy's scores behind the reasons
    agent_id = Column(Integer, index=True)  # the agent who owns it (state agent)
    claimed_at = Column(DateTime(timezone=True))
    csat = Column(Integer)  # the customer's 1-5 answer after closing
    csat_requested_at = Column(DateTime(timezone=True))


class Message(Base):
    __tablename__ = "desk_messages"
    __table_args__ = (UniqueConstraint("channel", "platform_message_id"),)
    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("desk_conversations.id"), nullable=False, index=True)
    author = Column(String(8), nullable=False)
    text = Column(Text, nullable=False, default="")
    payload = Column(JSON)
    channel = Column(String(16), nullable=False)
    language = Column(String(2))
    platform_message_id = Column(String(128))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class ConversationView:
    id: int
    public_id: str
    channel: str
    external_id: str
    state: str
    language: Optional[str]
    reasons: List[str]
    skill: Optional[str]
    priority: Optional[str]
    confidence: Optional[float]
    summary: Optional[str]
    created_at: datetime
    queued_at: Optional[datetime]
    agent_id: Optional[int] = None
    claimed_at: Optional[datetime] = None
    closed_at: Optional[datetime] = None
    csat: Optional[int] = None
    csat_requested_at: Optional[datetime] = None
    scores: Optional[Dict[str, Any]] = None

    @classmethod
    def of(cls, row: Conversation) -> "ConversationView":
        return cls(row.id, row.public_id, row.channel, row.external_id, row.state, row.language,
                   list(row.reasons or []), row.skill, row.priority, row.confidence, row.summary,
                   aware(row.created_at), aware(row.queued_at), row.agent_id, aware(row.claimed_at),
                   aware(row.closed_at), row.csat, aware(row.csat_requested_at), row.scores)

    def as_json(self) -> Dict[str, Any]:
        return {
            "id": self.public_id, "channel": self.channel, "state": self.state,
            "language": self.language, "reasons": self.reasons, "skill": self.skill,
            "priority": self.priority, "confidence": self.confidence, "summary": self.summary,
            "created_at": self.created_at.isoformat(),
            "queued_at": self.queued_at.isoformat() if self.queued_at else None,
            "claimed_at": self.claimed_at.isoformat() if self.claimed_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "csat": self.csat, "scores": self.scores,
        }


@dataclass(frozen=True)
class MessageView:
    author: str
    text: str
    channel: str
    language: Optional[str]
    created_at: datetime
    payload: Optional[Dict[str, Any]] = field(default=None)

    @classmethod
    def of(cls, row: Message) -> "MessageView":
        return cls(row.author, row.text, row.channel, row.language, aware(row.created_at), row.payload)

    def as_json(self) -> Dict[str, Any]:
        return {"author": self.author, "text": self.text, "channel": self.channel,
                "language": self.language, "created_at": self.created_at.isoformat(),
                **({"payload": self.payload} if self.payload else {})}


def _latest(session: Session, channel: str, external_id: str) -> Optional[Conversation]:
    return session.execute(
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.external_id == external_id)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


class DeskStore:
    """Conversations and messages; one instance per gateway process."""

    def __init__(self, url: str) -> None:
        upgrade(url, MIGRATIONS, VERSION_TABLE)
        self.url = url
        self._engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
        self._sessions = sessionmaker(self._engine, future=True, expire_on_commit=False)

    def close(self) -> None:
        self._engine.dispose()

    def run_sync(self, work: Callable[[Session], T]) -> T:
        """``work`` in one transaction; for scripts and tests outside an event loop."""
        with self._sessions() as session, session.begin():
            return work(session)

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work`` in one transaction, on a worker thread."""
        return await asyncio.to_thread(self.run_sync, work)

    async def open_conversation(self, channel: str, external_id: str, language: Optional[str]) -> ConversationView:
        """The customer's current conversation on this channel, or a new one with the
        bot when there is none or the last one was closed."""

        def work(session: Session) -> ConversationView:
            current = _latest(session, channel, external_id)
            if current is None or current.state == "closed":
                current = Conversation(public_id=uuid.uuid4().hex, channel=channel,
                                       external_id=external_id, state="bot", language=language,
                                       reasons=[])
                session.add(current)
                session.flush()
            elif language and not current.language:
                current.language = language
            return ConversationView.of(current)

        return await self.run(work)

    async def latest_conversation(self, channel: str, external_id: str) -> Optional[ConversationView]:
        def work(session: Session) -> Optional[ConversationView]:
            row = _latest(session, channel, external_id)
            return ConversationView.of(row) if row else None

        return await self.run(work)

    async def conversation(self, public_id: str) -> Optional[ConversationView]:
        def work(session: Session) -> Optional[ConversationView]:
            row = session.execute(
                select(Conversation).where(Conversation.public_id == public_id)
            ).scalar_one_or_none()
            return ConversationView.of(row) if row else None

        return await self.run(work)

    async def add_message(
        self,
        conversation: ConversationView,
        author: str,
        text: str,
        *,
        language: Optional[str] = None,
        payload: Optional[Dict[str, Any]] = None,
        platform_message_id: Optional[str] = None,
    ) -> bool:
        """Stores one message; False when the platform already delivered this one."""
        assert author in AUTHORS, author

        def work(session: Session) -> None:
            session.add(Message(conversation_id=conversation.id, author=author, text=text,
                                payload=payload, channel=conversation.channel,
                                language=language or conversation.language,
                                platform_message_id=platform_message_id))
            row = session.get(Conversation, conversation.id)
            row.updated_at = utcnow()

        try:
            await self.run(work)
        except IntegrityError:
            return False
        return True

    async def update(self, conversation: ConversationView, **changes: Any) -> ConversationView:
        """Changes state, language or handoff details; entering the queue stamps the time."""
        unknown = set(changes) - {"state", "language", "reasons", "skill", "priority", "confidence", "summary",
                                  "agent_id", "csat", "csat_requested_at", "scores"}
        assert not unknown, unknown
        assert changes.get("state", "bot") in STATES, changes

        def work(session: Session) -> ConversationView:
            row = session.get(Conversation, conversation.id)
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utcnow()
            if changes.get("state") == "queued":
                row.queued_at = row.updated_at
            elif changes.get("state") == "closed":
                row.closed_at = row.updated_at
            return ConversationView.of(row)

        return await self.run(work)

    async def transcript(self, conversation: ConversationView) -> List[MessageView]:
        def work(session: Session) -> List[MessageView]:
            rows = session.execute(
                select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
            ).scalars()
            return [MessageView.of(row) for row in rows]

        return await self.run(work)
