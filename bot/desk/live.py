"""Live updates for the agent console over a websocket.

An event names only a conversation that the receiving agent may see (or none); the
console then reads the queue and the open conversation through the API, where every
permission is checked. So the socket can never show anyone data they may not read.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Dict, Optional, Set

from aiohttp import web

from bot.desk import queue
from bot.desk.storage import ConversationView, DeskStore

log = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 1.0


class LiveUpdates:
    def __init__(self, store: DeskStore) -> None:
        self._store = store
        self._sockets: Dict[int, Set[web.WebSocketResponse]] = defaultdict(set)

    def add(self, agent_id: int, socket: web.WebSocketResponse) -> None:
        self._sockets[agent_id].add(socket)

    def remove(self, agent_id: int, socket: web.WebSocketResponse) -> None:
        self._sockets[agent_id].discard(socket)
        if not self._sockets[agent_id]:
            del self._sockets[agent_id]

    async def publish(self, conversation: Optional[ConversationView] = None) -> None:
        """Tells every connected agent that something changed; ``None`` means the team
        (an agent's status), which can change who sees which queued conversation."""
        if not self._sockets:
            return
        team = await self._store.run(queue.team)
        for agent in team.agents:
            event = {"type": "changed"}
            if conversation is not None and team.may_see(agent, conversation):
                event["conversation"] = conversation.public_id
            for socket in list(self._sockets.get(agent.id, ())):
                try:  # a stalled browser must not hold up the customers' replies
                    await asyncio.wait_for(socket.send_json(event), SEND_TIMEOUT_SECONDS)
                except (ConnectionError, RuntimeError, asyncio.TimeoutError):
                    self.remove(agent.id, socket)
                    await socket.close()

    async def close_all(self) -> None:
        for sockets in list(self._sockets.values()):
            for socket in list(sockets):
                await socket.close()
