"""Facebook Messenger: Meta's webhook in, the Send API out.

Meta first checks the webhook with a GET handshake (``hub.verify_token`` must match
ours, we echo ``hub.challenge``); every POST carries ``X-Hub-Signature-256``, an
HMAC-SHA256 of the raw body with the app secret, checked before the body is parsed.
Meta may deliver an event twice; the message id (``mid``) makes the second a no-op.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Dict, Iterator

import aiohttp
from aiohttp import web

from bot.desk.channels import post_to_platform
from bot.desk.conversations import Inbound, Reply
from bot.desk.http import bad_request, json_error, json_object
from bot.desk.storage import ConversationView
from bot.settings import ChannelSecrets

CHANNEL = "messenger"
SIGNATURE_HEADER = "X-Hub-Signature-256"


def signature_of(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def inbound_events(body: Dict[str, Any]) -> Iterator[Inbound]:
    """Customer texts, quick replies and postbacks; echoes of our own sends and
    delivery/read receipts are skipped."""
    if body.get("object") != "page" or not isinstance(body.get("entry"), list):
        raise bad_request("A Messenger webhook body needs object 'page' and a list of entries.")
    for entry in body["entry"]:
        for event in (entry or {}).get("messaging") or []:
            psid = str((event.get("sender") or {}).get("id") or "")
            message, postback = event.get("message") or {}, event.get("postback") or {}
            if not psid or message.get("is_echo"):
                continue
            if message:
                text = (message.get("quick_reply") or {}).get("payload") or message.get("text")
                mid = message.get("mid")
            elif postback:
                text, mid = postback.get("payload") or postback.get("title"), postback.get("mid")
            else:
                continue
            if isinstance(text, str) and text:
                yield Inbound(CHANNEL, psid, text, None, f"mid:{mid}" if mid else None,
                              {"channel": CHANNEL, "external_id": psid})


def routes(secrets: ChannelSecrets) -> web.RouteTableDef:
    table = web.RouteTableDef()

    @table.get("/webhooks/messenger")
    async def verify(request: web.Request) -> web.Response:
        query = request.query
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            query.get("hub.verify_token", ""), secrets.messenger_verify_token
        ):
            return web.Response(text=query.get("hub.challenge", ""))
        return json_error(403, "Webhook verification failed: wrong hub.verify_token or hub.mode.")

    @table.post("/webhooks/messenger")
    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""),
                                   signature_of(raw, secrets.messenger_app_secret)):
            return json_error(403, f"Missing or wrong {SIGNATURE_HEADER}.")
        handled = duplicates = 0
        for inbound in inbound_events(await json_object(request, raw)):
            outcome = await request.app["desk"].handle(inbound)
            handled += 1
            duplicates += outcome.duplicate
        return web.json_response({"status": "EVENT_RECEIVED", "messages": handled, "duplicates": duplicates})

    return table


def sender(secrets: ChannelSecrets, session: aiohttp.ClientSession):
    """Delivers replies with the Send API; buttons become quick replies."""
    url = f"{secrets.messenger_api_base.rstrip('/')}/me/messages"

    async def deliver(conversation: ConversationView, reply: Reply) -> None:
        recipient = {"id": conversation.external_id}
        messages = []
        if reply.image:
            messages.append({"attachment": {"type": "image", "payload": {"url": reply.image}}})
        if reply.text or reply.buttons:
            message: Dict[str, Any] = {"text": reply.signed_text}
            if reply.buttons:
                message["quick_replies"] = [
                    {"content_type": "text", "title": b["title"][:20], "payload": b["payload"]} for b in reply.buttons
                ]
            messages.append(message)
        for message in messages:
            await post_to_platform(session, "Messenger", url,
                                   {"recipient": recipient, "messaging_type": "RESPONSE", "message": message},
                                   params={"access_token": secrets.messenger_page_token})

    return deliver
