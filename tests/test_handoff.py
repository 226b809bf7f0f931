"""Handoff policy on hand-built trackers, the sensitivity detector's round trip, and
action_handoff's message and payload."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from bot.nlu.sensitivity import SensitivityDetector
from bot.policies.handoff_policy import HandoffPolicy, HandoffThresholds, handoff_reasons

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, complain, request_human, check_balance, check_order_status]
slots:
  handoff: {type: any, influence_conversation: false, mappings: [{type: custom}]}
actions: [action_handoff]
responses:
  utter_greet: [{text: hi}]
""")
THRESHOLDS = HandoffThresholds.from_config(HandoffPolicy.get_default_config())


def parse(intent: str, confidence: float = 0.98, second: float = 0.01, topic: str = "none", score: float = 0.0,
          fallback: bool = False) -> dict:
    ranking = [{"name": intent, "confidence": confidence}, {"name": "greet", "confidence": second}]
    top = {"name": "nlu_fallback", "confidence": 0.5} if fallback else ranking[0]
    return {"intent": top, "intent_ranking": ranking, "sensitivity": {"topic": topic, "score": score}}


def reasons_for(latest: dict, earlier=()):
    return handoff_reasons(latest, list(earlier), THRESHOLDS)[0]


@pytest.mark.parametrize("latest, earlier, expected", [
    (parse("greet"), [], []),
    (parse("greet", confidence=0.3, second=0.2), [], ["low_confidence"]),
    (parse("greet", confidence=0.5, second=0.45), [], ["ambiguous"]),
    (parse("greet", topic="bereavement", score=0.8), [], ["sensitive:bereavement"]),
    (parse("greet", topic="bereavement", score=0.2), [], []),
    (parse("request_human"), [], ["requested"]),
    (parse("greet", fallback=True), ["nlu_fallback"], ["repeated_fallback"]),
    (parse("greet", fallback=True), ["nlu_fallback", "greet"], []),
    (parse("complain"), ["complain", "greet"], ["negative_sentiment"]),
    (parse("complain"), ["greet"], []),
    (parse("complain", topic="strong_anger", score=0.9), [], ["sensitive:strong_anger", "negative_sentiment"]),
    (parse("request_human", topic="fraud", score=0.7), [], ["sensitive:fraud", "requested"]),
])
def test_each_reason(latest, earlier, expected):
    assert reasons_for(latest, earlier) == expected


def test_an_unsure_answer_to_a_form_is_no_reason_but_sensitivity_still_is():
    unsure = parse("inform", confidence=0.3, second=0.25)
    assert handoff_reasons(unsure, [], THRESHOLDS, answering_a_form=True)[0] == []
    grief = parse("inform", confidence=0.3, topic="bereavement", score=0.9)
    assert handoff_reasons(grief, [], THRESHOLDS, answering_a_form=True)[0] == ["sensitive:bereavement"]


def test_thresholds_come_from_config():
    strict = HandoffThresholds.from_config({**HandoffPolicy.get_default_config(), "sensitivity_threshold": 0.9,
                                            "low_confidence_threshold": 0.6})
    message = parse("greet", confidence=0.55, second=0.1, topic="divorce", score=0.8)
    assert handoff_reasons(message, [], strict)[0] == ["low_confidence"]
    assert handoff_reasons(message, [], THRESHOLDS)[0] == ["sensitive:divorce"]


@pytest.fixture
def policy(tmp_path: Path) -> HandoffPolicy:
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "t")
    config = {**HandoffPolicy.get_default_config(), "sensitivity_threshold": 0.5}
    HandoffPolicy.create(config, storage, Resource("handoff"), context).train([], DOMAIN)
    return HandoffPolicy.load(config, storage, Resource("handoff"), context)


def user(text: str, data: dict) -> UserUttered:
    return UserUttered(text, data["intent"], parse_data=data)


def predicted(policy: HandoffPolicy, events) -> tuple:
    tracker = DialogueStateTracker.from_events("c", [ActionExecuted("action_listen"), *events], slots=DOMAIN.slots)
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    action = DOMAIN.action_names_or_texts[best] if prediction.max_confidence > 0 else None
    return action, prediction


def test_policy_predicts_handoff_and_explains_it(policy):
    action, prediction = predicted(policy, [user("mein Mann ist gestorben", parse("greet", topic="bereavement", score=0.9))])
    assert action == "action_handoff" and prediction.max_confidence == 1.0
    assert prediction.policy_priority == 7
    [slot] = prediction.optional_events
    assert slot.key == "handoff" and slot.value["reasons"] == ["sensitive:bereavement"]
    assert slot.value["scores"]["sensitivity"] == {"topic": "bereavement", "score": 0.9}


def test_policy_uses_its_configured_threshold(policy):
    action, _ = predicted(policy, [user("hmm", parse("greet", topic="divorce", score=0.4))])
    assert action is None  # 0.4 is below this policy's configured 0.5


def test_policy_listens_after_handing_off(policy):
    data = parse("request_human")
    action, _ = predicted(policy, [user("a person please", data), ActionExecuted("action_handoff")])
    assert action == "action_listen"


def test_handed_back_message_is_not_handed_off_again(policy):
    data = parse("request_human")
    events = [user("a person please", data), ActionExecuted("action_handoff"),
              BotUttered("Agent: how can I help?"), ActionExecuted("action_listen")]
    action, _ = predicted(policy, events)
    assert action is None


def test_sensitivity_detector_round_trip(tmp_path: Path):
    examples = tmp_path / "sensitive"
    examples.mkdir()
    (examples / "en.yml").write_text("""
version: "1"
language: en
topics:
  bereavement: ["my father passed away last week", "my wife died and I need to close her account",
                "the account holder has died", "after my mother's death I need help"]
  fraud: ["someone stole my card and used it", "there are payments I never made",
          "my account was hacked", "I was scammed and sent money to a fraudster"]
ordinary: ["where is my order", "what is my balance", "my phone died, resend the code",
           "hello there", "thanks a lot", "I'd kill for faster shipping"]
""", encoding="utf-8")
    (tmp_path / "model").mkdir()
    storage, context = LocalModelStorage(tmp_path / "model"), ExecutionContext(GraphSchema({}), "t")
    config = {**SensitivityDetector.get_default_config(), "examples_dir": str(examples)}
    SensitivityDetector.create(config, storage, Resource("s"), context).train(TrainingData())
    detector = SensitivityDetector.load(config, storage, Resource("s"), context)
    messages = [Message(data={"text": t}) for t in ["my husband died yesterday", "my card was stolen", "where is my parcel"]]
    detector.process(messages)
    results = [m.get("sensitivity") for m in messages]
    assert results[0]["topic"] == "bereavement" and results[1]["topic"] == "fraud"
    assert results[2]["score"] < results[0]["score"]
    assert set(results[0]["scores"]) >= {"bereavement", "fraud"}


def sdk_tracker(slots: dict, active_loop=None) -> Tracker:
    events = [{"event": "user", "text": "Mein Mann ist gestorben, das Konto muss geschlossen werden",
               "parse_data": {"intent": {"name": "check_balance"}}}]
    latest = {"text": events[0]["text"], "intent": {"name": "check_balance", "confidence": 0.41}, "metadata": {}}
    return Tracker("c", slots, latest, events, False, None, active_loop or {}, "action_listen")


async def test_action_handoff_for_bereavement_is_empathetic_and_routed_to_care():
    dispatcher = CollectingDispatcher()
    scores = {"intent": "check_balance", "confidence": 0.41, "sensitivity": {"topic": "bereavement", "score": 0.97}}
    slots = {"language": "de", "handoff": {"reasons": ["low_confidence", "sensitive:bereavement"], "scores": scores}}
    events = await ActionHandoff().run(dispatcher, sdk_tracker(slots), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_bereavement"
    assert dispatcher.messages[1]["custom"]["handoff"] == {
        "reasons": ["low_confidence", "sensitive:bereavement"], "skill": "care", "priority": "high",
        "language": "de", "confidence": 0.41,
        "summary": "Mein Mann ist gestorben, das Konto muss geschlossen werden", "scores": scores}
    assert events == []


async def test_action_handoff_routes_ordinary_reasons_by_topic_and_ends_a_form():
    dispatcher = CollectingDispatcher()
    slots = {"language": "en", "handoff": {"reasons": ["requested"]}}
    events = await ActionHandoff().run(dispatcher, sdk_tracker(slots, {"name": "balance_form"}), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_requested"
    payload = dispatcher.messages[1]["custom"]["handoff"]
    assert payload["skill"] == "billing" and payload["priority"] == "normal"
    assert {"event": "active_loop", "timestamp": None, "name": None} in events


@pytest.mark.parametrize("language", ["en", "de", "ru", "id"])
def test_escalation_test_and_development_messages_are_not_training_examples(language):
    """The escalation benchmark's messages (test and development sets) must be written
    apart from every training example, or its numbers mean nothing."""
    from ruamel.yaml import YAML

    from bot.nlu.sensitivity import read_example_file
    from bot.settings import ROOT
    from bot.validate import normalise, read_examples

    training = {normalise(text) for text in read_example_file(ROOT / "data" / "sensitive" / f"{language}.yml")[0]}
    training |= {normalise(example.text) for example in read_examples(ROOT / "data" / "nlu" / f"{language}.yml")[0]}
    for folder in (ROOT / "tests" / "data" / "escalation", *sorted((ROOT / "bench" / "data").glob("escalation_*"))):
        held_out = YAML(typ="safe").load((folder / f"{language}.yml").read_text(encoding="utf-8"))
        texts = [item["text"] for item in held_out["sensitive"]] + list(held_out["ordinary"])
        # Greetings and one-word answers ("ok", "Hallo") are the same everywhere.
        copied = [text for text in texts if len(normalise(text).split()) > 2 and normalise(text) in training]
        assert copied == [], f"{folder.name}/{language}.yml has training examples: {copied}"
