"""The agent console: its page, its JSON API under ``/api/v1/agent/``, its websocket.

Sessions are a random token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS
or when ``DESK_COOKIE_SECURE=1``). Every request that changes something must carry the
session's CSRF token in ``X-CSRF-Token`` and, when the browser sends one, a same-origin
``Origin``; the websocket checks the origin too. The page itself runs under a strict
Content-Security-Policy and renders every text with ``textContent``.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import urlparse

from aiohttp import WSMsgType, web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.desk import queue, suggestions, team
from bot.desk.conversations import RateLimiter
from bot.desk.customer_context import customer_context
from bot.desk.http import bad_request, json_error, json_object
from bot.desk.queue import ActionRefused
from bot.desk.storage import ConversationView, Message
from bot.desk.takeover import Takeover
from bot.desk.team import AgentView, TeamError
from bot.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
COOKIE = "desk_session"
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
PAST_REPLIES = 300  # agent replies the suggestions learn from, newest first

Handler = Callable[[web.Request, AgentView], Awaitable[web.StreamResponse]]


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    return origin is None or urlparse(origin).netloc == request.host


async def _session(request: web.Request):
    token = request.cookies.get(COOKIE, "")
    return await request.app["desk"].store.run(lambda s: team.session_agent(s, token)) if token else None


def agent_only(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Needs a live session; requests that change something also need the CSRF token
    and a same-origin ``Origin``."""

    @functools.wraps(handler)
    async def checked(request: web.Request) -> web.StreamResponse:
        found = await _session(request)
        if found is None:
            return json_error(401, "Not logged in (or the session expired): log in again.")
        agent, csrf = found
        if request.method not in ("GET", "HEAD"):
            if not _same_origin(request):
                return json_error(403, "Cross-site request refused.")
            given = request.headers.get("X-CSRF-Token", "").encode("utf-8", "surrogateescape")
            if not hmac.compare_digest(given, csrf.encode()):
                return json_error(403, "Missing or wrong X-CSRF-Token; reload the console.")
        try:
            return await handler(request, agent)
        except ActionRefused as refused:
            return json_error(refused.status, str(refused))
        except TeamError as error:
            return json_error(error.status, str(error))
        except IntegrityError:  # the same canned shortcut saved twice at once
            return json_error(409, "Someone saved the same thing at the same moment; reload and try again.")

    return checked


def _queue_item(conversation: ConversationView, matched: bool) -> Dict[str, Any]:
    return {**conversation.as_json(), "waiting_seconds": queue.waiting_seconds(conversation), "matched": matched}


def routes(settings: Settings) -> web.RouteTableDef:
    table = web.RouteTableDef()
    login_attempts = RateLimiter(10, 300)  # per address and username; a success starts afresh

    def page(name: str, content_type: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            return web.FileResponse(STATIC / name, headers={**PAGE_HEADERS, "Content-Type": content_type})
        return serve

    table.get("/console")(page("console.html", "text/html; charset=utf-8"))
    table.get("/console.js")(page("console.js", "application/javascript; charset=utf-8"))
    table.get("/console.css")(page("console.css", "text/css; charset=utf-8"))

    @table.post("/api/v1/agent/login")
    async def login(request: web.Request) -> web.Response:
        if not _same_origin(request):
            return json_error(403, "Cross-site request refused.")
        body = await json_object(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or len(username) > 64 \
                or len(password) > 1024:
            raise bad_request("Send a username (at most 64 characters) and a password.")
        attempt = f"{request.remote}:{username.strip().lower()}"
        if not login_attempts.allow(attempt):  # counted before the check: parallel guesses count too
            return json_error(429, "Too many login attempts for this user; wait a few minutes.")
        store = request.app["desk"].store
        done = await store.run(lambda s: team.log_in(s, username.strip(), password))
        if done is None:
            return json_error(401, "Wrong username or password.")
        login_attempts.forgive(attempt)
        response = web.json_response({"agent": done.agent.as_json(), "csrf_token": done.csrf_token})
        secure = settings.cookie_secure if settings.cookie_secure is not None else request.secure
        response.set_cookie(COOKIE, done.token, httponly=True, samesite="Strict", secure=secure, path="/",
                            max_age=int(team.SESSION_LIFETIME.total_seconds()))
        return response

    @table.post("/api/v1/agent/logout")
    @agent_only
    async def logout(request: web.Request, agent: AgentView) -> web.Response:
        store = request.app["desk"].store
        token = request.cookies.get(COOKIE, "")
        await store.run(lambda s: (team.log_out(s, token), team.set_status(s, agent.id, "away")))
        await request.app["live"].publish()
        response = web.json_response({"status": "logged out"})
        response.del_cookie(COOKIE, path="/")
        return response

    @table.get("/api/v1/agent/me")
    async def me(request: web.Request) -> web.Response:
        found = await _session(request)
        if found is None:
            return json_error(401, "Not logged in.")
        return web.json_response({"agent": found[0].as_json(), "csrf_token": found[1]})

    @table.post("/api/v1/agent/status")
    @agent_only
    async def status(request: web.Request, agent: AgentView) -> web.Response:
        wanted = (await json_object(request)).get("status")
        updated = await request.app["desk"].store.run(lambda s: team.set_status(s, agent.id, wanted))
        await request.app["live"].publish()
        return web.json_response({"agent": updated.as_json()})

    @table.get("/api/v1/agent/queue")
    @agent_only
    async def queue_view(request: web.Request, agent: AgentView) -> web.Response:
        def work(session) -> Dict[str, Any]:
            current = queue.team(session)
            waiting = [_queue_item(c, queue.matches(agent, c)) for c in queue.queued(session)
                       if current.may_see_queued(agent, c)]
            mine = [c.as_json() for c in queue.owned_by(session, agent.id)]
            handed_back = [c.as_json() for c in queue.handed_back_by(session, agent.id)]
            return {"queue": waiting, "mine": mine, "handed_back": handed_back, "open": current.counts.get(agent.id, 0)}

        return web.json_response(await request.app["desk"].store.run(work))

    @table.get("/api/v1/agent/conversations/{conversation_id}")
    @agent_only
    async def conversation_view(request: web.Request, agent: AgentView) -> web.Response:
        takeover = request.app["takeover"]
        conversation = await takeover.visible(request.match_info["conversation_id"], agent)
        store = takeover.store
        messages = await store.transcript(conversation)
        customer_texts = [m.text for m in messages if m.author == "customer"]
        try:
            context = await store.run(lambda s: customer_context(s, conversation, customer_texts))
        except SQLAlchemyError:
            context = {"unavailable": "The orders and accounts database cannot be read from the desk."}
        suggested = await _suggestions(store, conversation, customer_texts[-1] if customer_texts else "")
        owner = None
        if conversation.agent_id:
            agents = await store.run(team.all_agents)
            owner = next((a.display_name for a in agents if a.id == conversation.agent_id), None)
        return web.json_response({
            "conversation": {**conversation.as_json(), "owner": owner, "mine": conversation.agent_id == agent.id},
            "messages": [m.as_json() for m in messages],
            "customer": context,
            "suggestions": suggested,
        })

    def action(name: str, act: Callable[..., Awaitable[ConversationView]], field: str = "") -> None:
        @table.post(f"/api/v1/agent/conversations/{{conversation_id}}/{name}")
        @agent_only
        async def run(request: web.Request, agent: AgentView) -> web.Response:
            args: List[Any] = [request.match_info["conversation_id"], agent]
            if field:
                args.append((await json_object(request)).get(field))
            conversation = await act(request.app["takeover"], *args)
            return web.json_response({"conversation": conversation.as_json()})

    action("claim", Takeover.claim)
    action("messages", Takeover.reply, "text")
    action("transfer", Takeover.transfer, "skill")
    action("handback", Takeover.hand_back)
    action("close", Takeover.close)

    @table.get("/api/v1/agent/canned")
    @agent_only
    async def canned_list(request: web.Request, agent: AgentView) -> web.Response:
        language = request.query.get("language") or None
        found = await request.app["desk"].store.run(lambda s: team.canned_responses(s, language))
        return web.json_response({"canned": [c.as_json() for c in found]})

    def supervisors_only(agent: AgentView) -> None:
        """Every agent sends canned responses; only supervisors change them."""
        if not agent.supervisor:
            raise TeamError("Only supervisors can change canned responses.", 403)

    @table.post("/api/v1/agent/canned")
    @agent_only
    async def canned_add(request: web.Request, agent: AgentView) -> web.Response:
        supervisors_only(agent)
        body = await json_object(request)
        saved = await request.app["desk"].store.run(
            lambda s: team.save_canned(s, body.get("language"), body.get("shortcut"), body.get("text")))
        return web.json_response({"canned": saved.as_json()}, status=201)

    @table.put("/api/v1/agent/canned/{canned_id:\\d+}")
    @agent_only
    async def canned_change(request: web.Request, agent: AgentView) -> web.Response:
        supervisors_only(agent)
        body = await json_object(request)
        canned_id = int(request.match_info["canned_id"])
        saved = await request.app["desk"].store.run(
            lambda s: team.save_canned(s, body.get("language"), body.get("shortcut"), body.get("text"), canned_id))
        return web.json_response({"canned": saved.as_json()})

    @table.delete("/api/v1/agent/canned/{canned_id:\\d+}")
    @agent_only
    async def canned_delete(request: web.Request, agent: AgentView) -> web.Response:
        supervisors_only(agent)
        canned_id = int(request.match_info["canned_id"])
        if not await request.app["desk"].store.run(lambda s: team.delete_canned(s, canned_id)):
            return json_error(404, "No such canned response.")
        return web.json_response({"deleted": canned_id})

    @table.get("/api/v1/agent/live")
    async def live(request: web.Request) -> web.StreamResponse:
        if not _same_origin(request):
            return json_error(403, "Cross-site websocket refused.")
        found = await _session(request)
        if found is None:
            return json_error(401, "Not logged in.")
        agent = found[0]
        socket = web.WebSocketResponse(heartbeat=30)
        await socket.prepare(request)
        hub = request.app["live"]
        hub.add(agent.id, socket)
        try:
            async for message in socket:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            hub.remove(agent.id, socket)
        return socket

    return table


async def _suggestions(store, conversation: ConversationView, last_customer_text: str) -> List[Dict[str, Any]]:
    """Ranked canned responses and past agent replies in the conversation's language."""
    language = conversation.language or "en"

    def candidates(session) -> List[suggestions.Candidate]:
        found = [suggestions.Candidate(c.text, "canned", c.shortcut, c.shortcut)
                 for c in team.canned_responses(session, language)]
        replies = session.execute(
            select(Message.id, Message.conversation_id, Message.text)
            .where(Message.author == "agent", Message.language == language)
            .order_by(Message.id.desc()).limit(PAST_REPLIES)
        ).all()
        customer_lines = session.execute(
            select(Message.id, Message.conversation_id, Message.text).where(
                Message.author == "customer", Message.conversation_id.in_({r.conversation_id for r in replies}))
            .order_by(Message.id)
        ).all() if replies else []
        for reply in replies:  # paired with the customer's last message before it
            before = [line.text for line in customer_lines
                      if line.conversation_id == reply.conversation_id and line.id < reply.id]
            found.append(suggestions.Candidate(suggestions.scrub(reply.text), "past", before[-1] if before else ""))
        return found

    pool = await store.run(candidates)
    return await asyncio.to_thread(suggestions.rank, last_customer_text, pool)
