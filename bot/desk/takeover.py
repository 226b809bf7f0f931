"""What an agent does with a conversation: claim, reply, transfer, hand back, close.

Each step runs under the conversation's lock, so it cannot interleave with the
customer's own messages, and ends by telling the live views. Handing back writes the
agent's turns into Rasa's tracker first: the bot resumes the same conversation knowing
what the person said, and if Rasa cannot be reached nothing changes.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Tuple

from bot.desk import queue
from bot.desk.conversations import Desk, Reply, csat_question
from bot.desk.notices import notice
from bot.desk.queue import ActionRefused
from bot.desk.rasa_client import RasaUnavailable
from bot.desk.storage import ConversationView, utcnow
from bot.desk.team import SKILLS, AgentView


class Takeover:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.store = desk.store

    async def visible(self, public_id: str, agent: AgentView) -> ConversationView:
        """The conversation if this agent may see it; otherwise the same 404 as for a
        conversation that does not exist, so ids of others' conversations leak nothing."""
        conversation = await self.store.conversation(public_id)
        if conversation is not None:
            team = await self.store.run(queue.team)
            if team.may_see(agent, conversation):
                return conversation
        raise ActionRefused("No such conversation in your queue.", 404)

    async def _own(self, public_id: str, agent: AgentView, states: Tuple[str, ...] = ("agent",)) -> ConversationView:
        conversation = await self.visible(public_id, agent)
        if conversation.state not in states or conversation.agent_id != agent.id:
            raise ActionRefused("Claim this conversation first: only the agent who owns it can do that."
                               if conversation.state != "closed" else "This conversation is already closed.")
        return conversation

    @asynccontextmanager
    async def _owned(self, public_id: str, agent: AgentView,
                     states: Tuple[str, ...] = ("agent",)) -> AsyncIterator[ConversationView]:
        """The agent's own conversation, under its lock. Ownership is checked before
        waiting for the lock (a refusal need not wait) and again once it is held: the
        conversation may have been transferred or closed while we waited."""
        conversation = await self._own(public_id, agent, states)
        async with self.desk.lock(conversation):
            yield await self._own(public_id, agent, states)

    async def claim(self, public_id: str, agent: AgentView) -> ConversationView:
        """Visibility is checked in ``queue.claim``, so the slower of two agents is told
        it was taken rather than that it does not exist."""
        conversation = await self.store.conversation(public_id)
        if conversation is None:
            raise ActionRefused("No such conversation in your queue.", 404)
        async with self.desk.lock(conversation):
            conversation = await self.store.run(lambda session: queue.claim(session, conversation.id, agent))
        await self.desk.changed(conversation)
        return conversation

    async def reply(self, public_id: str, agent: AgentView, text: Any) -> ConversationView:
        if not isinstance(text, str) or not text.strip():
            raise ActionRefused("A reply needs a non-empty text.", 400)
        if len(text) > self.desk.max_chars:
            raise ActionRefused(f"A reply has at most {self.desk.max_chars} characters.", 413)
        async with self._owned(public_id, agent) as conversation:
            await self.store.add_message(conversation, "agent", text,
                                         payload={"sender_name": agent.display_name})
        await self.desk.changed(conversation)
        await self.desk.deliver(conversation, Reply(text=text, author="agent", sender_name=agent.display_name))
        return conversation

    async def transfer(self, public_id: str, agent: AgentView, skill: Any) -> ConversationView:
        if skill not in SKILLS:
            raise ActionRefused(f"Transfer to one of {', '.join(SKILLS)}.", 400)
        async with self._owned(public_id, agent) as conversation:
            conversation = await self.store.update(conversation, state="queued", skill=skill, agent_id=None)
            reply = await self.desk.queue_notice(conversation)
        await self.desk.changed(conversation)
        await self.desk.deliver(conversation, reply)
        return conversation

    async def hand_back(self, public_id: str, agent: AgentView) -> ConversationView:
        async with self._owned(public_id, agent) as conversation:
            events = await self._agent_turns(conversation)
            try:
                await self.desk.rasa.append_events(conversation.public_id, events)
            except RasaUnavailable as error:
                raise ActionRefused(f"The bot cannot take over right now ({error}); the conversation stays yours.",
                                   503) from error
            # The agent stays on record: they can follow the bot and close the conversation.
            conversation = await self.store.update(conversation, state="bot")
            reply = Reply(text=notice("handed_back", conversation.language), author="system")
            await self.store.add_message(conversation, "system", reply.text)
        await self.desk.changed(conversation)
        await self.desk.deliver(conversation, reply)
        return conversation

    async def close(self, public_id: str, agent: AgentView) -> ConversationView:
        """Ends the conversation (also after handing it back) and asks for CSAT."""
        async with self._owned(public_id, agent, states=("agent", "bot")) as conversation:
            conversation = await self.store.update(conversation, state="closed", csat_requested_at=utcnow())
            reply = csat_question(conversation.language)
            await self.store.add_message(conversation, "system", reply.text, payload={"buttons": reply.buttons})
        await self.desk.changed(conversation)
        await self.desk.deliver(conversation, reply)
        return conversation

    async def _agent_turns(self, conversation: ConversationView) -> List[Dict[str, Any]]:
        """Rasa events for what agents wrote since the bot last spoke (transfers
        included), and a cleared decision so the policy starts afresh."""
        messages = await self.store.transcript(conversation)
        last_bot = max((i for i, message in enumerate(messages) if message.author == "bot"), default=-1)
        events: List[Dict[str, Any]] = [
            {"event": "bot", "text": message.text, "timestamp": message.created_at.timestamp(),
             "metadata": {"author": "agent", "sender_name": (message.payload or {}).get("sender_name")}}
            for message in messages[last_bot + 1:] if message.author == "agent"
        ]
        events.append({"event": "slot", "name": "handoff", "value": None})
        return events
