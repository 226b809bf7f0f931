"""Who may take which queued conversation, in what order, and atomic claiming.

A queued conversation is offered to available agents whose skills include its skill and
whose languages include its language, highest priority first, then longest waiting.
When no such agent is available (all away or full), it is shown to every agent, so
nobody waits for a person who is not there. Supervisors see everything.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Dict, Iterable, List, Optional

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.desk.storage import Conversation, ConversationView, aware, utcnow
from bot.desk.team import Agent, AgentView, all_agents, open_counts

PRIORITY_RANK = {"high": 0, "normal": 1, "low": 2}
WAIT_SAMPLE = 20  # recent claims the expected wait is estimated from


def order_key(conversation: ConversationView) -> tuple:
    return (PRIORITY_RANK.get(conversation.priority or "normal", 1),
            conversation.queued_at or conversation.created_at)


def matches(agent: AgentView, conversation: ConversationView) -> bool:
    return (conversation.skill or "technical") in agent.skills and (conversation.language or "en") in agent.languages


def has_room(agent: AgentView, counts: Dict[int, int]) -> bool:
    return agent.status == "available" and counts.get(agent.id, 0) < agent.capacity


@dataclass(frozen=True)
class Team:
    """The agents and their current load, read once per decision."""

    agents: List[AgentView]
    counts: Dict[int, int]

    def someone_can_take(self, conversation: ConversationView) -> bool:
        return any(has_room(agent, self.counts) and matches(agent, conversation) for agent in self.agents)

    def may_see_queued(self, agent: AgentView, conversation: ConversationView) -> bool:
        return agent.supervisor or matches(agent, conversation) or not self.someone_can_take(conversation)

    def may_see(self, agent: AgentView, conversation: ConversationView) -> bool:
        """Queued ones as routed; the agent's own ones; everything for supervisors."""
        if agent.supervisor or conversation.agent_id == agent.id:
            return True
        return conversation.state == "queued" and self.may_see_queued(agent, conversation)


def team(session: Session) -> Team:
    return Team(all_agents(session), open_counts(session))


def queued(session: Session) -> List[ConversationView]:
    rows = session.execute(select(Conversation).where(Conversation.state == "queued")).scalars()
    return sorted((ConversationView.of(row) for row in rows), key=order_key)


def owned_by(session: Session, agent_id: int) -> List[ConversationView]:
    rows = session.execute(select(Conversation).where(
        Conversation.state == "agent", Conversation.agent_id == agent_id).order_by(Conversation.claimed_at)).scalars()
    return [ConversationView.of(row) for row in rows]


def handed_back_by(session: Session, agent_id: int, limit: int = 10) -> List[ConversationView]:
    """Conversations this agent gave back to the bot and has not closed yet."""
    rows = session.execute(select(Conversation).where(
        Conversation.state == "bot", Conversation.agent_id == agent_id)
        .order_by(Conversation.updated_at.desc()).limit(limit)).scalars()
    return [ConversationView.of(row) for row in rows]


def place_in_queue(conversation: ConversationView, waiting: Iterable[ConversationView]) -> int:
    """1-based place among conversations waiting for the same skill and language."""
    same = [c for c in waiting if (c.skill, c.language) == (conversation.skill, conversation.language)]
    return 1 + sum(1 for c in same if c.id != conversation.id and order_key(c) < order_key(conversation))


def expected_wait_minutes(session: Session, skill: Optional[str], place: int) -> Optional[int]:
    """Median time recent conversations of this skill waited to be claimed, times the
    place in the queue; None until there are a few claims to go by."""
    rows = session.execute(
        select(Conversation.queued_at, Conversation.claimed_at)
        .where(Conversation.skill == skill, Conversation.claimed_at.is_not(None),
               Conversation.queued_at.is_not(None))
        .order_by(Conversation.claimed_at.desc()).limit(WAIT_SAMPLE)
    ).all()
    waits = [(aware(claimed) - aware(queued_at)).total_seconds() for queued_at, claimed in rows
             if aware(claimed) >= aware(queued_at)]
    if len(waits) < 3:
        return None
    return max(1, round(statistics.median(waits) * place / 60))


class ActionRefused(Exception):
    """Why an agent's claim, reply or other step cannot be done; ``status`` is the HTTP
    answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def claim(session: Session, conversation_id: int, agent: AgentView) -> ConversationView:
    """The conversation becomes the agent's, or ``ActionRefused`` says why not. The
    conditional UPDATE is the lock: of two agents claiming at once, exactly one
    changes the row."""
    # One claim at a time per agent: the agent's row is locked (PostgreSQL; SQLite has one
    # writer anyway), so two claims at once cannot both count the same open conversations.
    session.execute(select(Agent.id).where(Agent.id == agent.id).with_for_update())
    current = team(session)
    me = next((a for a in current.agents if a.id == agent.id), agent)
    if me.status != "available":
        raise ActionRefused("You are away: set yourself available to take conversations.")
    if current.counts.get(me.id, 0) >= me.capacity:
        raise ActionRefused(f"You already have {me.capacity} conversations open (your capacity); close one first.")
    row = session.get(Conversation, conversation_id)
    # Only what the agent could see in a queue is named; anything else does not exist.
    if row is None or not (me.supervisor or current.may_see_queued(me, ConversationView.of(row))):
        raise ActionRefused("No such conversation in your queue.", 404)
    now = utcnow()
    open_now = (select(func.count()).select_from(Conversation)
                .where(Conversation.agent_id == me.id, Conversation.state == "agent").scalar_subquery())
    changed = session.execute(
        update(Conversation)
        # Still waiting, and the agent still has room: two claims at once cannot both win.
        .where(Conversation.id == conversation_id, Conversation.state == "queued", open_now < me.capacity)
        .values(state="agent", agent_id=me.id, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        session.refresh(row)
        if row.state == "queued":
            raise ActionRefused(f"You already have {me.capacity} conversations open (your capacity); close one first.")
        owner = session.get(Agent, row.agent_id) if row.agent_id else None
        who = f" by {owner.display_name}" if owner and row.state == "agent" else ""
        raise ActionRefused(f"This conversation was already taken{who}." if row.state == "agent"
                           else f"This conversation is no longer waiting (it is {row.state}).")
    session.refresh(row)
    return ConversationView.of(row)


def waiting_seconds(conversation: ConversationView, now: Optional[datetime] = None) -> int:
    start = conversation.queued_at or conversation.created_at
    return max(0, int(((now or utcnow()) - start).total_seconds()))
