"""The sensitivity detector also learns situations mentioned only in passing."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.passing_mentions import compose_passing_mentions, join
from bot.nlu.sensitivity import NOT_SENSITIVE, build_classifier, read_example_file, training_set
from bot.policies.handoff_policy import HandoffPolicy
from bot.settings import ROOT, component_config

EXAMPLES = {
    "en": (["my father died", "my phone died"], ["bereavement", NOT_SENSITIVE]),
    "de": (["mein Vater ist gestorben"], ["bereavement"]),
}
REQUESTS = {"en": ["where is my order?", "what is my balance"], "de": ["Wo ist mein Paket?"]}


def test_every_example_is_joined_to_requests_of_its_own_language_and_keeps_its_label():
    texts, labels = compose_passing_mentions(EXAMPLES, REQUESTS, per_example=4)
    assert len(texts) == 4 * 3
    for text, label in zip(texts, labels):
        sources = [(e, l, lang) for lang, (es, ls) in EXAMPLES.items() for e, l in zip(es, ls) if e in text]
        assert len(sources) == 1, text
        source, source_label, language = sources[0]
        assert label == source_label
        assert any(text in (join(source, r), join(r, source)) for r in REQUESTS[language]), text
    assert texts.count(join("mein Vater ist gestorben", "Wo ist mein Paket?")) + \
        texts.count(join("Wo ist mein Paket?", "mein Vater ist gestorben")) == 4


def test_joining_is_deterministic_and_skips_languages_without_requests():
    assert compose_passing_mentions(EXAMPLES, REQUESTS, 3) == compose_passing_mentions(EXAMPLES, REQUESTS, 3)
    texts, _ = compose_passing_mentions(EXAMPLES, {"en": REQUESTS["en"]}, 3)
    assert texts and not any("Vater" in text for text in texts)
    assert compose_passing_mentions(EXAMPLES, REQUESTS, 0) == ([], [])


def test_join_ends_the_first_sentence():
    assert join("my father died", "where is my order?") == "my father died. where is my order?"
    assert join("Where is my order? ", "my father died") == "Where is my order? my father died"


# Written for this test: ordinary requests that mention a hard situation in passing, and
# ordinary requests that share words with sensitive topics.
PASSING = [
    "can you push my delivery to next week, we are burying my grandad on thursday",
    "I was in hospital after a stroke and missed the payment date, can you waive the fee?",
    "please send the parcel to my sister's address, I moved out when my wife and I separated",
    "I fell off a ladder and broke my wrist so I can't type my PIN, can I pay another way",
    "Hi, quick one: a £180 payment to a shop I've never heard of left my account last night",
    "could the courier leave it with a neighbour, I'm on crutches since the car crash",
    "Please update the account holder's name to mine, my husband is no longer with us",
    "Can I get a payment holiday on the loan? Chemo starts next week and I won't be working",
    "need a copy of all my statements for the lawyer, we're getting divorced",
    "honestly what's the point of anything anymore. anyway can you close my account",
]
ORDINARY = [
    "can you push my delivery to next week, I'm on holiday",
    "I missed the payment date, can you waive the fee?",
    "please send the parcel to my sister's address",
    "my battery died so I couldn't enter the code, can you send it again",
    "Hi, quick one: how do I pay a shop abroad from my account?",
    "could the courier leave it with a neighbour, I'm at work all day",
    "Please update the account holder's name to mine, I got married",
    "Can I get a payment holiday on the loan? I start a new job next month",
    "need a copy of all my statements for my accountant",
    "anyway can you close my account, I don't use it",
]


@pytest.fixture(scope="module")
def english_training():
    examples = {"en": read_example_file(ROOT / "data" / "sensitive" / "en.yml")}
    requests = {"en": [e.get("text") for e in load_data(str(ROOT / "data" / "nlu" / "en.yml")).intent_examples]}
    return examples, requests


def sensitivity_scores(examples, requests, passing_mentions: int):
    classifier = build_classifier().fit(*training_set(examples, requests, passing_mentions))
    ordinary = list(classifier.classes_).index(NOT_SENSITIVE)
    return lambda texts: 1.0 - classifier.predict_proba(texts)[:, ordinary]


def log_odds(scores: np.ndarray) -> np.ndarray:
    scores = np.clip(scores, 1e-6, 1 - 1e-6)
    return np.log(scores / (1 - scores))


def test_joined_training_finds_passing_mentions_without_flagging_their_ordinary_twins(english_training):
    without = sensitivity_scores(*english_training, passing_mentions=0)
    joined = sensitivity_scores(*english_training, passing_mentions=3)
    threshold = component_config("policies", HandoffPolicy)["sensitivity_threshold"]
    assert log_odds(joined(PASSING)).mean() > log_odds(without(PASSING)).mean() + 0.5
    assert (joined(PASSING) >= threshold).sum() >= (without(PASSING) >= threshold).sum()
    assert (joined(ORDINARY) < threshold).all()
