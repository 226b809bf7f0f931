"""REST channel for integrations: post a customer message, read the transcript.

``POST /api/v1/conversations/{id}/messages`` with ``{"text", "language"?,
"message_id"?}`` answers with the replies (the integration relays them); a repeated
``message_id`` is stored once. ``GET /api/v1/conversations/{id}`` is the transcript.
Both need an ``X-API-Key`` from ``DESK_API_KEYS``.
"""

from __future__ import annotations

import hmac
import re
from typing import FrozenSet

from aiohttp import web

from bot.desk.conversations import Inbound
from bot.desk.http import bad_request, json_error, json_object

CHANNEL = "api"
_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def _authorised(request: web.Request, keys: FrozenSet[str]) -> bool:
    given = request.headers.get("X-API-Key", "")
    return any(hmac.compare_digest(given, key) for key in keys)


def _conversation_id(request: web.Request) -> str:
    conversation_id = request.match_info["conversation_id"]
    if not _CONVERSATION_ID.match(conversation_id):
        raise bad_request("A conversation id is 1-100 letters, digits or . _ : -")
    return conversation_id


def routes(keys: FrozenSet[str]) -> web.RouteTableDef:
    table = web.RouteTableDef()

    def refused() -> web.Response:
        if not keys:
            return json_error(503, "The REST API is off: set DESK_API_KEYS to enable it.")
        return json_error(401, "Missing or unknown X-API-Key.")

    @table.post("/api/v1/conversations/{conversation_id}/messages")
    async def post_message(request: web.Request) -> web.Response:
        if not _authorised(request, keys):
            return refused()
        conversation_id = _conversation_id(request)
        body = await json_object(request)
        message_id = body.get("message_id")
        if message_id is not None and not isinstance(message_id, (str, int)):
            raise bad_request("message_id must be a string or a number.")
        language = body.get("language")
        if language is not None and not isinstance(language, str):
            raise bad_request("language must be a language code such as 'de'.")
        outcome = await request.app["desk"].handle(Inbound(
            CHANNEL, conversation_id, body.get("text"), language,
            f"{conversation_id}:{message_id}" if message_id is not None else None,
        ))
        return web.json_response({
            "conversation": outcome.conversation.as_json(),
            "duplicate": outcome.duplicate,
            "replies": [reply.as_json() for reply in outcome.replies],
        })

    @table.get("/api/v1/conversations/{conversation_id}")
    async def transcript(request: web.Request) -> web.Response:
        if not _authorised(request, keys):
            return refused()
        store = request.app["desk"].store
        conversation = await store.latest_conversation(CHANNEL, _conversation_id(request))
        if conversation is None:
            return json_error(404, "No conversation with this id.")
        messages = await store.transcript(conversation)
        return web.json_response({
            "conversation": conversation.as_json(),
            "messages": [message.as_json() for message in messages],
        })

    return table
