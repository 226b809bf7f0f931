"""Agents for the console tests: created in the desk's database, logged in over HTTP."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import requests
from sqlalchemy import create_engine, text as sql_text

from bot.desk.storage import DeskStore
from bot.desk.team import new_agent

PASSWORD = "correct horse battery"


def create_agent(database_url: str, username: str, skills: Sequence[str], languages: Sequence[str],
                 capacity: int = 3, supervisor: bool = False, status: str = "available") -> None:
    store = DeskStore(database_url)
    try:
        store.run_sync(lambda s: new_agent(s, username, username.title(), PASSWORD, skills, languages,
                                           capacity, supervisor, status))
    finally:
        store.close()


def set_everyone_away(database_url: str) -> None:
    """Agents of earlier tests must not change who may see what in this one."""
    engine = create_engine(database_url, future=True)
    try:
        with engine.begin() as connection:
            connection.execute(sql_text("UPDATE desk_agents SET status = 'away'"))
            connection.execute(sql_text("UPDATE desk_conversations SET state = 'closed' WHERE state IN ('queued', 'agent')"))
    finally:
        engine.dispose()


def set_conversation(database_url: str, public_id: str, **values: Any) -> None:
    """Arranges a queued conversation's routing fields (skill, language, priority)."""
    engine = create_engine(database_url, future=True)
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    try:
        with engine.begin() as connection:
            connection.execute(sql_text(f"UPDATE desk_conversations SET {assignments} WHERE public_id = :id"),
                               {**values, "id": public_id})
    finally:
        engine.dispose()


class AgentClient:
    """One agent's browser-like HTTP session: cookie jar plus the CSRF token."""

    def __init__(self, desk_url: str, username: str, password: str = PASSWORD) -> None:
        self.url = desk_url
        self.session = requests.Session()
        self.login = self.session.post(f"{desk_url}/api/v1/agent/login",
                                       json={"username": username, "password": password}, timeout=30)
        self.csrf: Optional[str] = self.login.json().get("csrf_token") if self.login.ok else None

    def get(self, path: str) -> requests.Response:
        return self.session.get(f"{self.url}{path}", timeout=60)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None, csrf: Optional[str] = None,
             **headers: str) -> requests.Response:
        sent = {"X-CSRF-Token": self.csrf if csrf is None else csrf, **headers}
        return self.session.post(f"{self.url}{path}", json=body or {}, headers=sent, timeout=60)

    def queue_ids(self) -> list:
        return [item["id"] for item in self.get("/api/v1/agent/queue").json()["queue"]]

    def act(self, conversation_id: str, action: str, body: Optional[Dict[str, Any]] = None) -> requests.Response:
        return self.post(f"/api/v1/agent/conversations/{conversation_id}/{action}", body)
