"""NLU regression guard: intent quality per language on held-out sentences.

The sentences in tests/data/nlu_test/ were written apart from the training data. The
floors sit a little below what the pipeline reaches (bench/results/nlu.md), so a change
that makes NLU clearly worse in any language fails here.
"""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from bot.languages import SUPPORTED_LANGUAGES
from bot.nlu_eval import labelled_sentences, predict_intents, score
from bot.settings import ROOT
from bot.validate import normalise, read_examples

MIN_ACCURACY = 0.85
MIN_MACRO_F1 = 0.85
MAX_FALLBACK_RATE = 0.15
MIN_SENTENCES_PER_INTENT = 15
TEST_DIR = ROOT / "tests" / "data" / "nlu_test"


@pytest.fixture(scope="module")
def agent(trained_model) -> Agent:
    return Agent.load(str(trained_model))


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_test_sentences_are_held_out(language):
    training = {normalise(e.text) for e in read_examples(ROOT / "data" / "nlu" / f"{language}.yml")[0]}
    test_examples, _ = read_examples(TEST_DIR / f"{language}.yml")
    copied = [e.text for e in test_examples if normalise(e.text) in training]
    assert copied == [], f"test sentences copied from training data: {copied}"
    counts = {}
    for example in test_examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    assert min(counts.values()) >= MIN_SENTENCES_PER_INTENT, counts
    assert len(counts) == 12


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
async def test_intent_quality(agent, language):
    sentences = labelled_sentences(TEST_DIR / f"{language}.yml")
    predicted = await predict_intents(agent, [text for text, _ in sentences])
    result = score([intent for _, intent in sentences], predicted)
    misses = [(t, g, p) for (t, g), (p, _) in zip(sentences, predicted) if g != p]
    assert result["accuracy"] >= MIN_ACCURACY, (result, misses[:15])
    assert result["macro_f1"] >= MIN_MACRO_F1, (result, misses[:15])
    assert result["fallback_rate"] <= MAX_FALLBACK_RATE, result


@pytest.mark.parametrize("text, entity, value", [
    ("Where is my order A-10234?", "order_id", "A-10234"),
    ("Wo bleibt Bestellung #55120?", "order_id", "#55120"),
    ("где заказ 77231", "order_id", "77231"),
    ("berapa saldo tabungan saya", "account_type", "savings"),
    ("Wie hoch ist mein Girokonto?", "account_type", "checking"),
    ("какой баланс по кредитной карте", "account_type", "credit_card"),
])
async def test_entities_are_extracted_with_canonical_values(agent, text, entity, value):
    parsed = await agent.parse_message(text)
    found = {(e["entity"], e["value"]) for e in parsed["entities"]}
    assert (entity, value) in found, parsed["entities"]
