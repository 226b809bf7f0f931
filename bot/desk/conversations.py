"""The gateway's one job: decide who answers a customer message, and keep everything.

Every channel turns its inbound message into an ``Inbound`` and calls ``Desk.handle``.
The message is stored before anything else happens, so a slow or dead Rasa never loses
it. While the conversation is the bot's, the message goes to Rasa and the replies go
back through the customer's channel; a handoff payload in Rasa's replies moves the
conversation to the queue with its reasons. While a person owns it (``queued`` or
``agent``), messages are stored for the agent and Rasa never sees them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import timedelta
import weakref
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Deque, Dict, List, Optional

from bot.desk import queue
from bot.desk.notices import notice
from bot.desk.rasa_client import RasaClient, RasaUnavailable
from bot.desk.storage import ConversationView, DeskStore, utcnow
from bot.languages import SUPPORTED_LANGUAGES

log = logging.getLogger(__name__)


class MessageRejected(Exception):
    """The message cannot be accepted as sent; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Inbound:
    channel: str
    external_id: str
    text: str
    language_hint: Optional[str] = None
    platform_message_id: Optional[str] = None
    # A channel-verified identity (Telegram user, Messenger PSID) for the actions.
    identity: Optional[Dict[str, str]] = None


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: List[Dict[str, str]] = field(default_factory=list)  # [{"title", "payload"}]
    image: Optional[str] = None
    author: str = "bot"  # bot | agent | system
    sender_name: Optional[str] = None  # the agent's name once a person answers

    @property
    def signed_text(self) -> str:
        """The text with the agent's name in front, for platforms that show no sender."""
        return f"{self.sender_name}: {self.text}" if self.sender_name else self.text

    def as_json(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {"author": self.author, "text": self.text}
        if self.buttons:
            body["buttons"] = self.buttons
        if self.image:
            body["image"] = self.image
        if self.sender_name:
            body["sender_name"] = self.sender_name
        return body


@dataclass(frozen=True)
class Outcome:
    conversation: ConversationView
    replies: List[Reply]
    duplicate: bool = False


Deliver = Callable[[ConversationView, Reply], Awaitable[None]]
Watcher = Callable[[ConversationView], Awaitable[None]]
CSAT_WINDOW = timedelta(hours=24)
_CSAT_ANSWER = re.compile(r"^\s*([1-5])\s*(?:/\s*5)?\s*[.!]?\s*$")


def csat_score(text: str) -> Optional[int]:
    """1-5 from an answer to the CSAT question ("4", "5/5", "3."), else None."""
    match = _CSAT_ANSWER.match(text or "")
    return int(match.group(1)) if match else None


def awaiting_csat(conversation: ConversationView) -> bool:
    requested = conversation.csat_requested_at
    return (conversation.state == "closed" and conversation.csat is None and requested is not None
            and utcnow() - requested < CSAT_WINDOW)


def csat_question(language: Optional[str]) -> Reply:
    return Reply(text=notice("csat_question", language), author="system",
                 buttons=[{"title": str(score), "payload": str(score)} for score in range(1, 6)])


class RateLimiter:
    """At most ``limit`` messages per sender in any ``seconds`` window (in memory)."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit, self._seconds, self._clock = limit, seconds, clock
        self._seen: Dict[str, Deque[float]] = defaultdict(deque)
        self._next_sweep = clock() + seconds

    def __len__(self) -> int:
        return len(self._seen)

    def allow(self, key: str) -> bool:
        now = self._clock()
        if now >= self._next_sweep:
            self._forget_idle(now)
        seen = self._seen[key]
        while seen and now - seen[0] > self._seconds:
            seen.popleft()
        if len(seen) >= self._limit:
            return False
        seen.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Drops senders silent for a whole window, once per window: otherwise every
        address or username that ever knocked (a scan, a password spray) stays in memory."""
        for key in [key for key, seen in self._seen.items() if not seen or now - seen[-1] > self._seconds]:
            del self._seen[key]
        self._next_sweep = now + self._seconds

    def forgive(self, key: str) -> None:
        """Forgets ``key``'s uses (a login that succeeded)."""
        self._seen.pop(key, None)


def replies_from_rasa(messages: List[Dict[str, Any]]) -> tuple:
    """(replies for the customer, the handoff payload or None) from Rasa's REST answer."""
    replies: List[Reply] = []
    handoff = None
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("handoff"), dict):
            handoff = custom["handoff"]
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", b.get("title", "")))}
            for b in message.get("buttons") or []
        ]
        if message.get("text") or buttons or message.get("image"):
            replies.append(Reply(text=message.get("text") or "", buttons=buttons, image=message.get("image")))
    return replies, handoff


class Desk:
    def __init__(self, store: DeskStore, rasa: RasaClient, max_chars: int, limiter: RateLimiter) -> None:
        self.store = store
        self.rasa = rasa
        self.max_chars = max_chars
        self.limiter = limiter
        self._outbound: Dict[str, Deliver] = {}
        self._watchers: List[Watcher] = []
        self._locks: "weakref.WeakValueDictionary[str, asyncio.Lock]" = weakref.WeakValueDictionary()

    def register_channel(self, channel: str, deliver: Deliver) -> None:
        """How replies reach customers of ``channel`` (a socket room, a platform's API)."""
        self._outbound[channel] = deliver

    def watch(self, watcher: Watcher) -> None:
        """``watcher`` hears of every change to a conversation (the agents' live view)."""
        self._watchers.append(watcher)

    async def changed(self, conversation: ConversationView) -> None:
        for watcher in self._watchers:
            try:
                await watcher(conversation)
            except Exception:  # noqa: BLE001 - a broken live view must not lose a message
                log.exception("A watcher failed on conversation %s", conversation.public_id)

    def check(self, text: Any, sender_key: str) -> str:
        """The text to accept, or a ``MessageRejected`` saying what is wrong with it."""
        if not isinstance(text, str) or not text.strip():
            raise MessageRejected("The message needs a non-empty text.")
        if len(text) > self.max_chars:
            raise MessageRejected(f"The message has {len(text)} characters; at most {self.max_chars} are accepted.", 413)
        if not self.limiter.allow(sender_key):
            raise MessageRejected("Too many messages from this sender; please wait a minute and try again.", 429)
        return text

    def lock(self, conversation: ConversationView) -> asyncio.Lock:
        """One writer at a time per customer: their messages and the agent's actions."""
        return self._lock(f"{conversation.channel}:{conversation.external_id}")

    def _lock(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    async def handle(self, inbound: Inbound) -> Outcome:
        """Stores the customer's message, lets the owner of the conversation answer, and
        delivers the answer on the customer's channel. Raises ``MessageRejected``."""
        text = self.check(inbound.text, f"{inbound.channel}:{inbound.external_id}")
        hint = inbound.language_hint if inbound.language_hint in SUPPORTED_LANGUAGES else None
        async with self._lock(f"{inbound.channel}:{inbound.external_id}"):
            score = csat_score(text)
            latest = await self.store.latest_conversation(inbound.channel, inbound.external_id) if score else None
            if latest is not None and awaiting_csat(latest):
                conversation = latest  # the answer to the closed conversation's CSAT question
            else:
                conversation = await self.store.open_conversation(inbound.channel, inbound.external_id, hint)
            stored = await self.store.add_message(
                conversation, "customer", text, language=hint, platform_message_id=inbound.platform_message_id
            )
            if not stored:
                log.info("Ignored a repeated delivery of %s message %s", inbound.channel, inbound.platform_message_id)
                return Outcome(conversation, [], duplicate=True)
            if conversation is latest:
                conversation, replies = await self._record_csat(conversation, score)
            elif conversation.state != "bot":
                replies = []
            else:
                conversation, replies = await self._ask_bot(conversation, text, hint, inbound.identity)
        await self.changed(conversation)
        for reply in replies:
            await self.deliver(conversation, reply)
        return Outcome(conversation, replies)

    async def _record_csat(self, conversation: ConversationView, score: int) -> tuple:
        conversation = await self.store.update(conversation, csat=score)
        reply = Reply(text=notice("csat_thanks", conversation.language), author="system")
        await self.store.add_message(conversation, "system", reply.text)
        return conversation, [reply]

    async def queue_notice(self, conversation: ConversationView) -> Reply:
        """The customer's place in the queue and, once there is history, the expected wait."""

        def work(session) -> tuple:
            place = queue.place_in_queue(conversation, queue.queued(session))
            return place, queue.expected_wait_minutes(session, conversation.skill, place)

        place, minutes = await self.store.run(work)
        text = (notice("queue_place_wait", conversation.language, place=place, minutes=minutes) if minutes
                else notice("queue_place", conversation.language, place=place))
        await self.store.add_message(conversation, "system", text)
        return Reply(text=text, author="system")

    async def _ask_bot(self, conversation: ConversationView, text: str, hint: Optional[str],
                       identity: Optional[Dict[str, str]]) -> tuple:
        metadata: Dict[str, Any] = {"channel": conversation.channel}
        if hint:
            metadata["language"] = hint
        if identity:
            metadata["identity"] = identity
        try:
            messages = await self.rasa.send(conversation.public_id, text, metadata)
        except RasaUnavailable as error:
            log.error("Conversation %s: %s; queued for a person.", conversation.public_id, error)
            reply = Reply(text=notice("bot_unavailable", conversation.language), author="system")
            await self.store.add_message(conversation, "system", reply.text)
            conversation = await self.store.update(
                conversation, state="queued", reasons=["action_failed"], skill="technical", priority="normal"
            )
            return conversation, [reply]
        replies, handoff = replies_from_rasa(messages)
        for reply in replies:
            await self.store.add_message(conversation, "bot", reply.text,
                                         payload={"buttons": reply.buttons} if reply.buttons else None)
        language = await self.rasa.slot(conversation.public_id, "language")
        changes: Dict[str, Any] = {}
        if language in SUPPORTED_LANGUAGES and language != conversation.language:
            changes["language"] = language
        if handoff:
            changes.update(
                state="queued",
                agent_id=None,  # handed back earlier: routing decides who takes it now
                reasons=list(handoff.get("reasons") or []),
                skill=handoff.get("skill"),
                priority=handoff.get("priority"),
                confidence=handoff.get("confidence"),
                summary=handoff.get("summary"),
                scores=handoff.get("scores") if isinstance(handoff.get("scores"), dict) else None,
            )
            if handoff.get("language") in SUPPORTED_LANGUAGES:
                changes["language"] = handoff["language"]
        if changes:
            conversation = await self.store.update(conversation, **changes)
        if handoff:
            replies.append(await self.queue_notice(conversation))
        return conversation, replies

    async def deliver(self, conversation: ConversationView, reply: Reply) -> None:
        """Sends one reply on the conversation's channel; a failing platform is logged,
        the reply stays in the transcript."""
        deliver = self._outbound.get(conversation.channel)
        if deliver is None:
            return  # pull channels (the REST API) read replies from the response
        try:
            await deliver(conversation, reply)
        except Exception:  # noqa: BLE001 - one platform's outage must not break the desk
            log.exception("Could not deliver a reply to %s conversation %s", conversation.channel,
                          conversation.public_id)
