"""Round trips for our graph components: train on a tiny set, persist, load, process."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from ruamel.yaml import YAML

from bot.nlu.calibration import TemperatureScaledClassifier, scale
from bot.nlu.intent_blender import NgramIntentBlender, blend
from bot.nlu.language_detector import LanguageDetector
from bot.nlu.lemma_tokenizer import LemmaTokenizer
from bot.nlu.person_request import PersonRequestCheck
from bot.policies.language_policy import LanguageSlotPolicy
from bot.settings import ROOT

TINY = {
    "en": ["where is my order", "hello there", "thank you so much", "show my savings balance",
           "i want to talk to a person", "what is the weather like"],
    "de": ["wo ist meine Bestellung", "hallo zusammen", "vielen Dank", "zeig mir meinen Kontostand",
           "ich möchte mit einem Menschen sprechen", "wie wird das Wetter"],
    "ru": ["где мой заказ", "привет", "большое спасибо", "покажи баланс",
           "хочу поговорить с человеком", "какая погода"],
    "id": ["pesanan saya di mana", "halo kak", "terima kasih banyak", "cek saldo tabungan saya",
           "saya mau bicara dengan petugas", "bagaimana cuacanya"],
}


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def tiny_training_data() -> TrainingData:
    return TrainingData([
        Message.build(text, intent=f"intent_{i}", intent_metadata={"language": language})
        for language, texts in TINY.items()
        for i, text in enumerate(texts)
    ])


def test_language_detector_round_trip(storage, context):
    resource = Resource("detector")
    config = LanguageDetector.get_default_config()
    LanguageDetector.create(config, storage, resource, context).train(tiny_training_data())

    loaded = LanguageDetector.load(config, storage, resource, context)
    messages = [Message(data={"text": text}) for text in
                ["Wo ist meine Bestellung?", "где мой заказ", "pesanan saya belum sampai",
                 "where is my order please", "ok", "123", "😀😀"]]
    loaded.process(messages)
    guesses = [message.get("language") for message in messages]

    assert [g["code"] for g in guesses[:4]] == ["de", "ru", "id", "en"]
    assert all(g["confident"] for g in guesses[:4])
    assert not any(g["confident"] for g in guesses[4:]), guesses[4:]
    assert "language" in messages[0].as_dict(only_output_properties=True)


def test_language_detector_loads_without_training(storage, context):
    """A model trained without declared languages still detects (lingua alone)."""
    detector = LanguageDetector.load(
        LanguageDetector.get_default_config(), storage, Resource("never-trained"), context
    )
    assert detector.guess("Где находится мой заказ?").code == "ru"
    assert detector.guess("Wo ist meine Bestellung, bitte?").code == "de"


def test_training_examples_take_the_declared_language(storage, context):
    resource = Resource("detector")
    config = LanguageDetector.get_default_config()
    detector = LanguageDetector.create(config, storage, resource, context)
    data = TrainingData([Message.build("ok", intent="affirm", intent_metadata={"language": "id"})])
    detector.process_training_data(data)
    assert data.training_examples[0].get("language") == {"code": "id", "confidence": 1.0, "confident": True}


@pytest.mark.parametrize("language, text, expected_lemmas", [
    ("de", "Wo sind meine Bestellungen?", ["wo", "sein", "meinen", "bestellung"]),
    ("ru", "где мои заказы", ["где", "мой", "заказ"]),
    ("en", "where are my orders", ["where", "be", "my", "order"]),
    ("id", "saya mengecek pesanan", ["saya", "kecek", "pesan"]),
])
def test_lemma_tokenizer_uses_the_message_language(storage, context, language, text, expected_lemmas):
    config = LemmaTokenizer.get_default_config()
    tokenizer = LemmaTokenizer.create(config, storage, Resource("tokenizer"), context)
    message = Message(data={"text": text, "language": {"code": language, "confident": True}})
    tokenizer.process([message])
    assert [token.lemma for token in message.get("text_tokens")] == expected_lemmas


def test_lemma_tokenizer_keeps_words_when_the_language_is_unsure(storage, context):
    tokenizer = LemmaTokenizer.create(LemmaTokenizer.get_default_config(), storage, Resource("t"), context)
    message = Message(data={"text": "Bestellungen", "language": {"code": "de", "confident": False}})
    tokenizer.process([message])
    assert [token.lemma for token in message.get("text_tokens")] == ["bestellungen"]


def test_lemma_tokenizer_keeps_order_numbers_whole(storage, context):
    tokenizer = LemmaTokenizer.create(LemmaTokenizer.get_default_config(), storage, Resource("t"), context)
    message = Message(data={"text": "Bestellnummer C-58812. und #10234", "language": {"code": "de"}})
    tokenizer.process([message])
    words = [(t.text, t.start, t.end) for t in message.get("text_tokens")]
    assert ("C-58812", 14, 21) in words
    assert ("#", 27, 28) in words and ("10234", 28, 33) in words


def test_lemma_tokenizer_gives_a_token_for_emoji_only_text(storage, context):
    tokenizer = LemmaTokenizer.create(LemmaTokenizer.get_default_config(), storage, Resource("t"), context)
    message = Message(data={"text": "😀😀", "language": {"code": "en"}})
    tokenizer.process([message])
    assert [t.text for t in message.get("text_tokens")] == ["😀😀"]


DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet]
slots:
  language:
    type: categorical
    values: [en, de, ru, id]
    influence_conversation: false
    mappings: [{type: custom}]
""")


def tracker_after(*turns, slot=None):
    events = [ActionExecuted("action_listen")]
    if slot:
        events.append(SlotSet("language", slot))
    for text, guess, metadata in turns:
        events.append(UserUttered(text, {"name": "greet", "confidence": 1.0},
                                  parse_data={"language": guess}, metadata=metadata))
    return DialogueStateTracker.from_events("someone", events, slots=DOMAIN.slots)


@pytest.fixture
def language_policy(storage, context):
    policy = LanguageSlotPolicy.create(LanguageSlotPolicy.get_default_config(), storage, Resource("lp"), context)
    policy.train([], DOMAIN)
    return LanguageSlotPolicy.load(LanguageSlotPolicy.get_default_config(), storage, Resource("lp"), context)


def slot_events(policy, tracker):
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    assert max(prediction.probabilities) == 0.0, "the language policy must never pick an action"
    assert prediction.policy_priority == 0
    return [(e.key, e.value) for e in prediction.events if isinstance(e, SlotSet)]


def test_policy_switches_on_a_confident_guess(language_policy):
    tracker = tracker_after(("где мой заказ", {"code": "ru", "confidence": 1.0, "confident": True}, None), slot="de")
    assert slot_events(language_policy, tracker) == [("language", "ru")]


def test_policy_keeps_the_language_on_an_unsure_guess(language_policy):
    tracker = tracker_after(("ok", {"code": "id", "confidence": 0.6, "confident": False}, None), slot="de")
    assert slot_events(language_policy, tracker) == []


def test_policy_seeds_from_the_channel_hint(language_policy):
    tracker = tracker_after(("ok", {"code": "id", "confidence": 0.6, "confident": False}, {"language": "de-DE"}))
    assert slot_events(language_policy, tracker) == [("language", "de")]


def test_policy_ignores_an_unsupported_hint(language_policy):
    tracker = tracker_after(("123", {"code": "en", "confidence": 0.0, "confident": False}, {"language": "fr"}))
    assert slot_events(language_policy, tracker) == []


def test_language_guess_is_plain_json(storage, context):
    """The guess goes into the tracker, which is stored as JSON (numpy types break it)."""
    import json

    resource = Resource("detector")
    config = LanguageDetector.get_default_config()
    LanguageDetector.create(config, storage, resource, context).train(tiny_training_data())
    detector = LanguageDetector.load(config, storage, resource, context)
    message = Message(data={"text": "Wo ist meine Bestellung?"})
    detector.process([message])
    assert json.loads(json.dumps(message.get("language")))["code"] == "de"


def person_request_check() -> PersonRequestCheck:
    pipeline = YAML(typ="safe").load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    own = next(c for c in pipeline if c["name"].endswith("PersonRequestCheck"))
    return PersonRequestCheck({**PersonRequestCheck.get_default_config(), **own})


def classified(text: str, language, intent: str = "request_human") -> Message:
    ranking = [{"name": intent, "confidence": 0.98}, {"name": "check_balance", "confidence": 0.015},
               {"name": "out_of_scope", "confidence": 0.005}]
    message = Message({"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})
    if language:
        message.set("language", {"code": language, "confidence": 0.99, "confident": True})
    return message


@pytest.mark.parametrize("text,language,kept", [
    ("can u connect me with someone", "en", True),
    ("Bitte einen Kundenberater", "de", True),
    ("verbinde mich mit einem Agent", "de", True),  # English cues count in every language
    ("позовите оператра", "ru", True),
    ("sambungin ke CS dong", "id", True),
    ("hubungkan ke petugas", None, True),  # language unknown: every language's cues
    ("Can my teenager get a debit card?", "en", False),
    ("Wer hat den Kölner Dom gebaut?", "de", False),
    ("Transfer antar bank butuh waktu berapa lama?", "id", False),
    # phrases that hold a cue and name no one, unless another cue names someone
    ("I'd like to update my phone number please", "en", False),
    ("Meine Telefonnummer hat sich geändert", "de", False),
    ("paketnya bisa diambil di agen minggu depan?", "id", False),
    ("call me back on my phone number", "en", True),
    ("Paket saya di agen, tolong sambungkan ke CS", "id", True),
    ("agen di cabang mana yang bisa bantu?", "id", True),  # "agen" away from "di" is a person
])
def test_person_request_check_keeps_only_requests_that_name_a_person(text, language, kept):
    [message] = person_request_check().process([classified(text, language)])
    if kept:
        assert message.get("intent")["name"] == "request_human"
        assert message.get("person_request_check") == {"person_named": True}
    else:  # out_of_scope and request_human swap places; nothing else moves
        assert message.get("intent") == {"name": "out_of_scope", "confidence": 0.98}
        assert [(r["name"], r["confidence"]) for r in message.get("intent_ranking")] == [
            ("out_of_scope", 0.98), ("check_balance", 0.015), ("request_human", 0.005)]
        assert message.get("person_request_check")["person_named"] is False


def test_person_request_check_leaves_other_intents_and_refuses_bad_config():
    [message] = person_request_check().process([classified("Can my teenager get a debit card?", "en", "check_balance")])
    assert message.get("intent")["name"] == "check_balance" and message.get("person_request_check") is None
    with pytest.raises(ValueError, match="'en' list"):
        PersonRequestCheck({**PersonRequestCheck.get_default_config(), "cues": {"de": ["mensch"]}})
    with pytest.raises(ValueError, match="not_a_person takes only languages"):
        PersonRequestCheck({**PersonRequestCheck.get_default_config(), "cues": {"en": ["agent"]},
                            "not_a_person": {"fr": ["numéro de téléphone"]}})


def diet_says(text: str, intent: str, confidence: float, runner_up: str) -> Message:
    """A message as DIET leaves it: its intent and a ranking cut short."""
    ranking = [{"name": intent, "confidence": confidence}, {"name": runner_up, "confidence": 1 - confidence}]
    return Message({"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})


def test_intent_blender_round_trip_overrules_a_diet_mistake_only_when_the_ngrams_disagree(storage, context):
    resource = Resource("blender")
    config = NgramIntentBlender.get_default_config()
    NgramIntentBlender.create(config, storage, resource, context).train(tiny_training_data())
    blender = NgramIntentBlender.load(config, storage, resource, context)

    # DIET unsure and wrong on a near copy of a German training example ("intent_0"):
    # the n-grams outvote it. DIET sure and right: the blend keeps its answer.
    wrong, right = blender.process([
        diet_says("wo ist meine Bestellung bitte", "intent_5", 0.55, "intent_0"),
        diet_says("где мой заказ", "intent_0", 0.97, "intent_5"),
    ])

    assert wrong.get("intent")["name"] == "intent_0"
    assert wrong.get("intent_sources")["diet"] == "intent_5" and wrong.get("intent_sources")["ngrams"] == "intent_0"
    assert right.get("intent")["name"] == "intent_0"
    for message in (wrong, right):
        ranking = message.get("intent_ranking")
        assert ranking[0] == message.get("intent")
        assert {entry["name"] for entry in ranking} == {f"intent_{i}" for i in range(6)}  # DIET's cut-off ones too
        assert sum(entry["confidence"] for entry in ranking) == pytest.approx(1.0, abs=1e-4)
        assert [e["confidence"] for e in ranking] == sorted((e["confidence"] for e in ranking), reverse=True)


def test_intent_blender_leaves_messages_without_a_diet_intent_and_untrained_models_alone(storage, context):
    config = NgramIntentBlender.get_default_config()
    untrained = NgramIntentBlender.load(config, storage, Resource("never-trained"), context)
    message = diet_says("where is my order", "intent_3", 0.9, "intent_0")
    untrained.process([message])
    assert message.get("intent") == {"name": "intent_3", "confidence": 0.9} and message.get("intent_sources") is None

    resource = Resource("blender")
    NgramIntentBlender.create(config, storage, resource, context).train(tiny_training_data())
    trained = NgramIntentBlender.load(config, storage, resource, context)
    empty = Message({"text": "   "})
    trained.process([empty])
    assert empty.get("intent") is None
    with pytest.raises(ValueError, match="diet_weight"):
        NgramIntentBlender({**config, "diet_weight": 1.5}, storage, resource)


def test_the_blender_learns_a_temperature_from_our_data_and_keeps_it_through_storage(storage, context):
    english = load_data(str(ROOT / "data" / "nlu" / "en.yml"))
    resource = Resource("blender")
    config = NgramIntentBlender.get_default_config()
    NgramIntentBlender.create(config, storage, resource, context).train(english)
    loaded = NgramIntentBlender.load(config, storage, resource, context)

    model = loaded._model
    assert isinstance(model, TemperatureScaledClassifier)
    # A regularised logistic regression on a few dozen examples per intent is
    # underconfident: cross-validation sharpens it.
    assert 0.2 < model.temperature < 1.0
    text = "my parcel still has not arrived"
    raw = model.classifier.predict_proba([text])
    assert loaded.class_probabilities(text)[model.classes_[0]] == pytest.approx(scale(raw, model.temperature)[0, 0])
    assert max(loaded.class_probabilities(text).values()) > raw.max()

    uncalibrated = {**config, "calibrate": False}
    NgramIntentBlender.create(uncalibrated, storage, Resource("raw"), context).train(english)
    assert not isinstance(NgramIntentBlender.load(uncalibrated, storage, Resource("raw"), context)._model,
                          TemperatureScaledClassifier)


def test_blend_weights_the_two_rankings_and_counts_a_missing_intent_as_zero():
    ranking = blend({"a": 0.8, "b": 0.2}, {"a": 0.1, "b": 0.3, "c": 0.6}, first_weight=0.5)
    assert [(e["name"], e["confidence"]) for e in ranking] == [("a", 0.45), ("c", 0.3), ("b", 0.25)]
