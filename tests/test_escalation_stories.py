"""Escalation safety suite: test stories replayed against the running bot.

The stories in ``tests/data/escalation_stories/<lang>.yml`` are in Rasa's test-story
format, but they are replayed through the REST channel of the real servers rather than
with ``rasa test``: ``rasa test`` puts only the intent and entities of each parsed
message into the tracker it predicts on (``rasa/core/test.py``,
``_collect_user_uttered_predictions``), so the sensitivity our NLU adds to a message
never reaches the handoff policy there. Replaying also checks what a customer meets:
the actions that really ran and the reasons recorded in the ``handoff`` slot.

A story named ``sensitive:<topic> ...`` must run exactly its actions, end in
``action_handoff`` and record ``sensitive:<topic>``. A story named ``ordinary: ...``
(small talk, trivia with alarming words, order and balance questions) must never be
handed off; which small-talk answer it gets is the business of the conversation tests
in ``tests/conversations/``. Intents are not part of the check: what matters for safety
is what the bot does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List

import pytest
import requests
from ruamel.yaml import YAML

from bot.languages import SUPPORTED_LANGUAGES
from bot.nlu.sensitivity import TOPICS
from bot.settings import ROOT

STORIES = ROOT / "tests" / "data" / "escalation_stories"


@dataclass
class Turn:
    text: str
    actions: List[str] = field(default_factory=list)


@dataclass
class Story:
    name: str
    turns: List[Turn]

    @property
    def topic(self) -> str:
        """The sensitive topic the name promises, or "" for an ordinary story."""
        kind = self.name.split(",")[0].split(" ")[0]
        return kind.split(":", 1)[1] if kind.startswith("sensitive:") else ""


def load_stories(path: Path) -> List[Story]:
    stories = []
    for raw in YAML(typ="safe").load(path.read_text(encoding="utf-8"))["stories"]:
        turns: List[Turn] = []
        for step in raw["steps"]:
            if "user" in step:
                turns.append(Turn(step["user"].strip()))
            elif "action" in step:
                assert turns, f"{path}: story '{raw['story']}' starts with an action"
                turns[-1].actions.append(step["action"])
        stories.append(Story(raw["story"], turns))
    return stories


def actions_since_last_user_message(events: List[Dict]) -> List[str]:
    last_user = max(i for i, event in enumerate(events) if event["event"] == "user")
    return [
        event["name"]
        for event in events[last_user + 1:]
        if event["event"] == "action" and event["name"] != "action_listen"
    ]


@pytest.fixture
def replay(stack, talk) -> Callable[[Story], List[str]]:
    """Plays a story to the bot; returns what went differently (empty when it passed)."""

    def play(story: Story) -> List[str]:
        sender = f"story-{uuid.uuid4().hex[:12]}"
        problems = []
        tracker: Dict = {}
        for number, turn in enumerate(story.turns, start=1):
            talk(sender, turn.text)
            response = requests.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30)
            assert response.status_code == 200, response.text
            tracker = response.json()
            ran = actions_since_last_user_message(tracker["events"])
            if story.topic and ran != turn.actions:
                problems.append(f"turn {number} ({turn.text[:60]!r}): expected {turn.actions}, ran {ran}")
        handed_off = any(
            event["event"] == "action" and event["name"] == "action_handoff" for event in tracker["events"]
        )
        reasons = (tracker["slots"].get("handoff") or {}).get("reasons", [])
        if story.topic and f"sensitive:{story.topic}" not in reasons:
            problems.append(f"handoff reasons {reasons} lack sensitive:{story.topic}")
        if not story.topic and handed_off:
            problems.append(f"an ordinary conversation was handed off ({reasons})")
        return problems

    return play


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_stories_cover_every_topic_and_ordinary_talk(language: str):
    stories = load_stories(STORIES / f"{language}.yml")
    assert {story.topic for story in stories} >= set(TOPICS) | {""}
    for story in stories:
        assert story.name.endswith(f"({language})"), story.name
        assert story.topic in TOPICS or story.name.startswith("ordinary:"), story.name
        if story.topic:
            assert story.turns[-1].actions == ["action_handoff"], story.name


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_escalation_stories(language: str, replay):
    failures = {}
    for story in load_stories(STORIES / f"{language}.yml"):
        problems = replay(story)
        if problems:
            failures[story.name] = problems
    assert failures == {}, "\n".join(
        f"{name}:\n  " + "\n  ".join(problems) for name, problems in failures.items()
    )
