"""The desk gateway's aiohttp application: every channel in front of Rasa.

``create_app`` wires the pieces; everything that must be opened and closed (the
database, the HTTP client to Rasa and the platforms) lives in one ``cleanup_ctx`` so a
failed start or a shutdown leaves nothing open. Run with ``python -m bot.desk``.
"""

from __future__ import annotations

import logging
from typing import AsyncIterator

import aiohttp
from aiohttp import web

from bot.desk import console
from bot.desk.channels import api, messenger, telegram, web as web_channel
from bot.desk.conversations import Desk, RateLimiter
from bot.desk.http import json_errors
from bot.desk.live import LiveUpdates
from bot.desk.rasa_client import RasaClient
from bot.desk.storage import DeskStore
from bot.desk.takeover import Takeover
from bot.settings import Settings

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[json_errors], client_max_size=MAX_BODY_BYTES)
    app["settings"] = settings
    app["max_body_bytes"] = MAX_BODY_BYTES
    web_channel.attach(app)
    app.router.add_routes(api.routes(settings.api_keys))
    app.router.add_routes(console.routes(settings))
    if settings.channels.telegram:
        app.router.add_routes(telegram.routes(settings.channels))
    if settings.channels.messenger:
        app.router.add_routes(messenger.routes(settings.channels))
    app.router.add_get("/health", health)
    app.cleanup_ctx.append(_resources)
    return app


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings: Settings = app["settings"]
    store = DeskStore(settings.database_url)
    session = aiohttp.ClientSession()
    try:
        desk = Desk(
            store,
            RasaClient(session, settings.rasa_url, settings.rasa_timeout_seconds),
            settings.max_message_chars,
            RateLimiter(settings.rate_limit_messages, settings.rate_limit_seconds),
        )
        desk.register_channel(web_channel.CHANNEL, app["web_deliver"])
        if settings.channels.telegram:
            desk.register_channel(telegram.CHANNEL, telegram.sender(settings.channels, session))
        if settings.channels.messenger:
            desk.register_channel(messenger.CHANNEL, messenger.sender(settings.channels, session))
        live = LiveUpdates(store)
        desk.watch(live.publish)
        app["desk"], app["live"], app["takeover"] = desk, live, Takeover(desk)
        yield
        await live.close_all()
    finally:
        await session.close()
        store.close()
