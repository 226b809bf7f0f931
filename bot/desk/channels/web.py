"""The web widget channel: socket.io speaking the protocol of Rasa's own ``socketio``
channel, so the published ``rasa-webchat`` widget works against the gateway unchanged,
and so does our own ``/widget.js``.

A client asks for a session (``session_request`` with the id it stored, or none) and
gets it back in ``session_confirm``; its socket joins a room named by the session, and
every reply is sent to that room, so a reload or a second tab keeps the conversation.
Rasa 3.6's own channel cannot be used: it calls python-socketio's now-async
``enter_room`` without ``await`` and never delivers a reply (RasaHQ/rasa#13027).
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any, Dict

import socketio
from aiohttp import web

from bot.desk.conversations import Inbound, MessageRejected, Reply
from bot.desk.storage import ConversationView

CHANNEL = "web"
STATIC = Path(__file__).resolve().parent.parent / "static"
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
log = logging.getLogger(__name__)


def widget_message(reply: Reply) -> Dict[str, Any]:
    """A reply in the shape ``rasa-webchat`` renders."""
    message: Dict[str, Any] = {}
    if reply.image:
        message["attachment"] = {"type": "image", "payload": {"src": reply.image}}
    if reply.text:
        message["text"] = reply.text
    if reply.buttons:
        message["quick_replies"] = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in reply.buttons
        ]
    if reply.author != "bot":
        message["metadata"] = {"author": reply.author, "sender_name": reply.sender_name}
    return message


def attach(app: web.Application) -> socketio.AsyncServer:
    """Mounts the socket.io server at ``/socket.io/`` and the pages that use it."""
    server = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", logger=False,
                                  engineio_logger=False, max_http_buffer_size=64 * 1024)
    server.attach(app)

    @server.on("session_request")
    async def session_request(sid: str, data: Any) -> None:
        requested = (data or {}).get("session_id") if isinstance(data, dict) else None
        session_id = requested if isinstance(requested, str) and _SESSION_ID.match(requested) else uuid.uuid4().hex
        await server.save_session(sid, {"session_id": session_id})
        await server.enter_room(sid, session_id)
        await server.emit("session_confirm", session_id, room=sid)

    @server.on("user_uttered")
    async def user_uttered(sid: str, data: Any) -> None:
        if not isinstance(data, dict):
            await server.emit("error", {"error": "user_uttered needs an object with a message."}, room=sid)
            return
        session_id = (await server.get_session(sid)).get("session_id")
        if not session_id:
            await server.emit("error", {"error": "Send session_request first."}, room=sid)
            return
        custom = data.get("customData") if isinstance(data.get("customData"), dict) else {}
        language = custom.get("language") if isinstance(custom.get("language"), str) else None
        try:
            await app["desk"].handle(Inbound(CHANNEL, session_id, data.get("message"), language))
        except MessageRejected as rejected:
            await server.emit("error", {"error": str(rejected), "status": rejected.status}, room=sid)

    async def deliver(conversation: ConversationView, reply: Reply) -> None:
        await server.emit("bot_uttered", widget_message(reply), room=conversation.external_id)

    app["web_deliver"] = deliver
    app.router.add_get("/", lambda request: web.FileResponse(STATIC / "index.html"))
    app.router.add_get("/widget.js", lambda request: web.FileResponse(
        STATIC / "widget.js", headers={"Access-Control-Allow-Origin": "*"}))
    return server
