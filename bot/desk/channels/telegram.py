"""Telegram: updates arrive on a webhook, replies go to the Bot API.

Telegram signs nothing, but sends the secret token registered with ``setWebhook`` in
``X-Telegram-Bot-Api-Secret-Token``; an update without it is refused. Telegram retries
an update until it gets a 2xx, so ``update_id`` is the message id that makes a retry
harmless.
"""

from __future__ import annotations

import hmac
from typing import Any, Dict, Optional

import aiohttp
from aiohttp import web

from bot.desk.channels import post_to_platform
from bot.desk.conversations import Inbound, Reply
from bot.desk.http import bad_request, json_error, json_object
from bot.desk.storage import ConversationView
from bot.settings import ChannelSecrets

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def inbound_from_update(update: Dict[str, Any]) -> Optional[Inbound]:
    """The customer's text from a message or a pressed button; None for anything else
    (stickers, edits, joins), which the desk does not handle."""
    if not isinstance(update.get("update_id"), int):
        raise bad_request("A Telegram update needs an integer update_id.")
    if isinstance(update.get("callback_query"), dict):
        query = update["callback_query"]
        text, sender = query.get("data"), query.get("from") or {}
        chat = (query.get("message") or {}).get("chat") or {}
    elif isinstance(update.get("message"), dict):
        message = update["message"]
        text, sender, chat = message.get("text"), message.get("from") or {}, message.get("chat") or {}
    else:
        return None
    if not isinstance(text, str) or "id" not in chat:
        return None
    language = str(sender.get("language_code") or "")[:2].lower() or None
    identity = {"channel": CHANNEL, "external_id": str(sender["id"])} if "id" in sender else None
    return Inbound(CHANNEL, str(chat["id"]), text, language, f"update:{update['update_id']}", identity)


def routes(secrets: ChannelSecrets) -> web.RouteTableDef:
    table = web.RouteTableDef()

    @table.post("/webhooks/telegram")
    async def webhook(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secrets.telegram_secret):
            return json_error(403, f"Missing or wrong {SECRET_HEADER}.")
        inbound = inbound_from_update(await json_object(request))
        if inbound is None:
            return web.json_response({"status": "ignored"})
        outcome = await request.app["desk"].handle(inbound)
        return web.json_response({"status": "duplicate" if outcome.duplicate else "ok"})

    return table


def sender(secrets: ChannelSecrets, session: aiohttp.ClientSession):
    """Delivers replies with the Bot API's sendMessage / sendPhoto."""
    base = f"{secrets.telegram_api_base.rstrip('/')}/bot{secrets.telegram_token}"

    async def deliver(conversation: ConversationView, reply: Reply) -> None:
        chat_id = conversation.external_id
        if reply.image:
            await post_to_platform(session, "Telegram", f"{base}/sendPhoto", {"chat_id": chat_id, "photo": reply.image})
        if reply.text or reply.buttons:
            body: Dict[str, Any] = {"chat_id": chat_id, "text": reply.signed_text}
            if reply.buttons:
                body["reply_markup"] = {"inline_keyboard": [
                    [{"text": b["title"], "callback_data": b["payload"][:64]}] for b in reply.buttons
                ]}
            await post_to_platform(session, "Telegram", f"{base}/sendMessage", body)

    return deliver

