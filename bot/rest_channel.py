"""Rasa's REST channel with its input checked before anything reaches the bot.

Rasa's own ``RestInput`` answers a JSON array with a 500, runs the whole pipeline on a
100 kB message, and silently replies ``[]`` to a missing text. Integrators deserve a
clear 4xx with the reason instead. The URL stays ``/webhooks/rest/webhook``.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

DEFAULT_MAX_TEXT_CHARS = 4000
MAX_SENDER_CHARS = 128


class InvalidRestRequest(ValueError):
    """A request the bot cannot answer; carries the HTTP status to send."""

    def __init__(self, status: int, message: Text) -> None:
        super().__init__(message)
        self.status = status


def check_rest_body(raw_body: bytes, max_text_chars: int) -> Dict[Text, Any]:
    """The parsed body if it is a valid message, else raises ``InvalidRestRequest``."""
    try:
        body = json.loads(raw_body or b"")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRestRequest(400, "The body must be valid JSON (UTF-8).")
    if not isinstance(body, dict):
        raise InvalidRestRequest(
            400, 'The body must be a JSON object: {"sender": "...", "message": "..."}.'
        )
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidRestRequest(400, '"sender" must be a non-empty string.')
    if len(sender) > MAX_SENDER_CHARS:
        raise InvalidRestRequest(
            400, f'"sender" must be at most {MAX_SENDER_CHARS} characters.'
        )
    message = body.get("message")
    if not isinstance(message, str):
        raise InvalidRestRequest(400, '"message" must be a string.')
    if not message.strip():
        raise InvalidRestRequest(400, '"message" must not be empty.')
    if len(message) > max_text_chars:
        raise InvalidRestRequest(
            413,
            f'"message" has {len(message)} characters; at most {max_text_chars} '
            "are accepted. Please send a shorter message.",
        )
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidRestRequest(400, '"metadata" must be a JSON object if given.')
    return body


class CheckedRestInput(RestInput):
    """REST input channel that rejects malformed requests with a clear 4xx."""

    def __init__(self, max_text_chars: int = DEFAULT_MAX_TEXT_CHARS) -> None:
        self.max_text_chars = max_text_chars

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> RestInput:
        credentials = credentials or {}
        return cls(int(credentials.get("max_text_chars", DEFAULT_MAX_TEXT_CHARS)))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def reject_invalid(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            try:
                check_rest_body(request.body, self.max_text_chars)
            except InvalidRestRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            return None

        return blueprint
