"""A local stand-in for Telegram's Bot API, Meta's Send API, a slow Rasa and a shop's web site.

It runs a real HTTP server on a free port in a background thread and records every call,
so tests see exactly what the gateway sent where.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from aiohttp import web

from bot.processes import free_port


@dataclass
class Call:
    path: str
    query: Dict[str, str]
    body: Any


class FakePlatform:
    def __init__(self, rasa_delay_seconds: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.calls: List[Call] = []
        self.rasa_delay_seconds = rasa_delay_seconds
        # Static pages it serves as a web site of its own origin: path -> (body, type).
        self.pages: Dict[str, Tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    async def _record(self, request: web.Request) -> web.Response:
        if request.method == "GET" and request.path in self.pages:
            body, content_type = self.pages[request.path]
            return web.Response(body=body, content_type=content_type)
        body = await request.json() if request.can_read_body else None
        with self._lock:
            self.calls.append(Call(request.path, dict(request.query), body))
        if request.path == "/webhooks/rest/webhook" or request.path.startswith("/conversations/"):
            await asyncio.sleep(self.rasa_delay_seconds)  # playing a Rasa that hangs
            return web.json_response([])
        return web.json_response({"ok": True, "result": {}})

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._record)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> "FakePlatform":
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def sent(self, path_part: str, where: Callable[[Any], bool] = lambda body: True) -> List[Call]:
        with self._lock:
            return [call for call in self.calls if path_part in call.path and where(call.body)]

    def wait_for(self, path_part: str, where: Callable[[Any], bool] = lambda body: True,
                 count: int = 1, timeout: float = 30.0) -> List[Call]:
        """The calls to ``path_part`` whose body matches, once there are ``count``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(path_part, where)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"expected {count} matching calls to {path_part}, got {self.sent(path_part, where)}")
