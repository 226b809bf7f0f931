"""HTTP plumbing every gateway route shares: JSON errors a client can act on."""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict

from aiohttp import web

from bot.desk.conversations import MessageRejected

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turns every failure into ``{"error": "..."}`` with the right status, so API and
    webhook clients never have to parse an HTML error page."""
    try:
        return await handler(request)
    except MessageRejected as error:
        return json_error(error.status, str(error))
    except web.HTTPRequestEntityTooLarge:
        return json_error(413, f"The request body is too large: at most {request.app['max_body_bytes']} bytes are accepted.")
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return json_error(error.status, error.reason)
    except Exception:  # noqa: BLE001 - logged with its traceback, answered without it
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error(500, "Internal error; it has been logged.")


async def json_object(request: web.Request, raw: bytes = b"") -> Dict[str, Any]:
    """The request body as a JSON object, or a 400 that says what is wrong."""
    try:
        body = json.loads(raw or await request.read())
    except (UnicodeDecodeError, ValueError):
        raise bad_request("The body is not valid JSON.")
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object.")
    try:  # "\ud800" is valid JSON but no database can store it
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("The body contains text that is not valid Unicode.")
    return body


def bad_request(message: str) -> MessageRejected:
    return MessageRejected(message, 400)
