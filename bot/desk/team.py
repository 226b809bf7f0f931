"""The people behind the desk: agents, their login sessions, and canned responses.

An agent has skills (which queues they serve), languages they write, a capacity (how
many conversations at once) and a status; a supervisor sees every queue. Sessions are
server-side rows keyed by the hash of the cookie's token, so logging out or removing an
agent ends the session at once, and a stolen database holds no usable cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session

from bot.desk.passwords import DUMMY_HASH, MIN_LENGTH, hash_password, verify_password
from bot.desk.storage import Base, Conversation, aware, utcnow
from bot.languages import SUPPORTED_LANGUAGES

SKILLS = ("billing", "orders", "technical", "care")
STATUSES = ("available", "away")
SESSION_LIFETIME = timedelta(hours=12)


class TeamError(ValueError):
    """Input that cannot make a valid agent or canned response; the message says why and
    ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Agent(Base):
    __tablename__ = "desk_agents"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(256), nullable=False)
    skills = Column(JSON, nullable=False, default=list)
    languages = Column(JSON, nullable=False, default=list)
    capacity = Column(Integer, nullable=False, default=3)
    status = Column(String(16), nullable=False, default="away")
    supervisor = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class AgentSession(Base):
    __tablename__ = "desk_agent_sessions"
    token_hash = Column(String(64), primary_key=True)
    agent_id = Column(Integer, ForeignKey("desk_agents.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class CannedResponse(Base):
    __tablename__ = "desk_canned_responses"
    __table_args__ = (UniqueConstraint("language", "shortcut"),)
    id = Column(Integer, primary_key=True)
    language = Column(String(2), nullable=False)
    shortcut = Column(String(32), nullable=False)
    text = Column(Text, nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class AgentView:
    id: int
    username: str
    display_name: str
    skills: List[str]
    languages: List[str]
    capacity: int
    status: str
    supervisor: bool

    @classmethod
    def of(cls, row: Agent) -> "AgentView":
        return cls(row.id, row.username, row.display_name, list(row.skills or []), list(row.languages or []),
                   row.capacity, row.status, bool(row.supervisor))

    def as_json(self) -> Dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name, "skills": self.skills,
                "languages": self.languages, "capacity": self.capacity, "status": self.status,
                "supervisor": self.supervisor}


@dataclass(frozen=True)
class Login:
    agent: AgentView
    token: str  # goes into the cookie; only its hash is stored
    csrf_token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _checked(values: Sequence[str], allowed: Sequence[str], what: str) -> List[str]:
    values = [value.strip() for value in values if value.strip()]
    unknown = sorted(set(values) - set(allowed))
    if unknown or not values:
        raise TeamError(f"{what} must be one or more of {', '.join(allowed)} (got {', '.join(values) or 'none'}).")
    return sorted(set(values), key=list(allowed).index)


def new_agent(session: Session, username: str, display_name: str, password: str, skills: Sequence[str],
              languages: Sequence[str], capacity: int = 3, supervisor: bool = False,
              status: str = "available") -> AgentView:
    """Creates an agent, or replaces the details and password of one with this username."""
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        raise TeamError("A username is 1-64 letters, digits, '.' or '_'.")
    if len(password) < MIN_LENGTH:
        raise TeamError(f"A password needs at least {MIN_LENGTH} characters.")
    if not 1 <= capacity <= 50:
        raise TeamError("Capacity is the number of conversations at once: 1 to 50.")
    if status not in STATUSES:
        raise TeamError(f"Status is one of {', '.join(STATUSES)}.")
    row = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none() or Agent(
        username=username)
    row.display_name = display_name.strip() or username
    row.password_hash = hash_password(password)
    row.skills = _checked(skills, SKILLS, "Skills")
    row.languages = _checked(languages, SUPPORTED_LANGUAGES, "Languages")
    row.capacity, row.supervisor, row.status = capacity, supervisor, status
    session.add(row)
    session.flush()
    session.execute(delete(AgentSession).where(AgentSession.agent_id == row.id))  # new password: log out
    return AgentView.of(row)


def log_in(session: Session, username: str, password: str) -> Optional[Login]:
    row = session.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
    if not verify_password(password, row.password_hash if row else DUMMY_HASH) or row is None:
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    session.add(AgentSession(token_hash=_token_hash(token), agent_id=row.id, csrf_token=csrf, created_at=now,
                             expires_at=now + SESSION_LIFETIME))
    return Login(AgentView.of(row), token, csrf)


def session_agent(session: Session, token: str) -> Optional[tuple]:
    """(agent, csrf token) of a live session, or None."""
    row = session.get(AgentSession, _token_hash(token)) if token else None
    if row is None or aware(row.expires_at) < utcnow():
        return None
    return AgentView.of(session.get(Agent, row.agent_id)), row.csrf_token


def log_out(session: Session, token: str) -> None:
    session.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))


def set_status(session: Session, agent_id: int, status: str) -> AgentView:
    if status not in STATUSES:
        raise TeamError(f"Status is one of {', '.join(STATUSES)}.")
    row = session.get(Agent, agent_id)
    row.status = status
    return AgentView.of(row)


def all_agents(session: Session) -> List[AgentView]:
    return [AgentView.of(row) for row in session.execute(select(Agent).order_by(Agent.id)).scalars()]


def open_counts(session: Session) -> Dict[int, int]:
    """How many conversations each agent owns right now."""
    rows = session.execute(
        select(Conversation.agent_id, func.count()).where(Conversation.state == "agent")
        .group_by(Conversation.agent_id)
    )
    return {agent_id: count for agent_id, count in rows if agent_id is not None}


@dataclass(frozen=True)
class Canned:
    id: int
    language: str
    shortcut: str
    text: str

    def as_json(self) -> Dict[str, Any]:
        return {"id": self.id, "language": self.language, "shortcut": self.shortcut, "text": self.text}


def canned_responses(session: Session, language: Optional[str] = None) -> List[Canned]:
    statement = select(CannedResponse).order_by(CannedResponse.language, CannedResponse.shortcut)
    if language:
        statement = statement.where(CannedResponse.language == language)
    return [Canned(r.id, r.language, r.shortcut, r.text) for r in session.execute(statement).scalars()]


def save_canned(session: Session, language: str, shortcut: str, text: str, canned_id: Optional[int] = None) -> Canned:
    """Adds a canned response, or changes the one with ``canned_id``."""
    if language not in SUPPORTED_LANGUAGES:
        raise TeamError(f"Language is one of {', '.join(SUPPORTED_LANGUAGES)}.")
    if not isinstance(shortcut, str):
        raise TeamError("A shortcut is text, such as 'condolences'.")
    shortcut = shortcut.strip().lstrip("/")
    if not shortcut or len(shortcut) > 32 or not shortcut.replace("-", "").replace("_", "").isalnum():
        raise TeamError("A shortcut is 1-32 letters, digits, '-' or '_' (typed as /shortcut in the reply box).")
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        raise TeamError("A canned response needs a text of 1-2000 characters.")
    clash = session.execute(select(CannedResponse).where(
        CannedResponse.language == language, CannedResponse.shortcut == shortcut)).scalar_one_or_none()
    if clash is not None and clash.id != canned_id:
        raise TeamError(f"/{shortcut} already exists in {language}; pick another shortcut.", 409)
    row = session.get(CannedResponse, canned_id) if canned_id else CannedResponse()
    if row is None:
        raise TeamError("No such canned response.", 404)
    row.language, row.shortcut, row.text, row.updated_at = language, shortcut, text.strip(), utcnow()
    session.add(row)
    session.flush()
    return Canned(row.id, row.language, row.shortcut, row.text)


def delete_canned(session: Session, canned_id: int) -> bool:
    return session.execute(delete(CannedResponse).where(CannedResponse.id == canned_id)).rowcount > 0
