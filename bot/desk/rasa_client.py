"""Talks to the Rasa server for the gateway: one customer message in, the bot's replies out."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error; the message is not lost,
    the gateway queues the conversation for a person instead."""


class RasaClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout_seconds: float) -> None:
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._session.post(
                f"{self._base_url}/webhooks/rest/webhook", json=body, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}: {(await response.text())[:200]}")
                replies = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"Rasa at {self._base_url} is unreachable or slow: {error!r}") from error
        if not isinstance(replies, list):
            raise RasaUnavailable(f"Rasa answered with {type(replies).__name__}, expected a list of messages")
        return replies

    async def slot(self, sender: str, name: str) -> Optional[Any]:
        """One slot of the conversation's tracker; None when Rasa cannot say."""
        try:
            async with self._session.get(
                f"{self._base_url}/conversations/{sender}/tracker",
                params={"include_events": "NONE"},
                timeout=self._timeout,
            ) as response:
                if response.status != 200:
                    return None
                tracker = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None
        return (tracker.get("slots") or {}).get(name)

    async def append_events(self, sender: str, events: List[Dict[str, Any]]) -> None:
        """Adds events to the conversation's tracker without running any action (what
        happened while a person answered); raises ``RasaUnavailable``."""
        try:
            async with self._session.post(
                f"{self._base_url}/conversations/{sender}/tracker/events",
                json=events, params={"include_events": "NONE"}, timeout=self._timeout,
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}: {(await response.text())[:200]}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise RasaUnavailable(f"Rasa at {self._base_url} is unreachable or slow: {error!r}") from error
