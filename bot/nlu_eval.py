"""Train an NLU model and score it on held-out sentences, per language.

Shared by the NLU benchmark (``bench/nlu.py``) and the NLU regression tests, so both
measure the same thing the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Tuple

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import accuracy_score, f1_score

from bot.languages import SUPPORTED_LANGUAGES


def train_nlu_model(config: Path, nlu_data: Path, output: Path) -> Path:
    """Trains from scratch: an empty component cache, so training time is real."""
    output.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("RASA_CACHE_DIRECTORY")
    os.environ["RASA_CACHE_DIRECTORY"] = str(output / "cache")
    try:
        model = train_nlu(str(config), str(nlu_data), str(output), fixed_model_name="nlu")
    finally:
        if previous is None:
            os.environ.pop("RASA_CACHE_DIRECTORY", None)
        else:
            os.environ["RASA_CACHE_DIRECTORY"] = previous
    if not model:
        raise RuntimeError(f"Training with {config} produced no model; see the log above.")
    return Path(model)


def labelled_sentences(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU file, entity markup removed."""
    data = load_data(str(path))
    return [(example.get(TEXT), example.get(INTENT)) for example in data.intent_examples]


FALLBACK_INTENT = "nlu_fallback"


async def predict_intents(agent: Agent, texts: List[str]) -> List[Tuple[str, bool]]:
    """(classifier's intent, whether the FallbackClassifier overrode it) per text.

    Intent quality is the classifier's own top intent; how often the pipeline's
    fallback thresholds turn an answer into "please rephrase" is reported apart, so
    pipelines with different thresholds are compared on the same thing.
    """
    predicted = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [r["name"] for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT]
        top = (parsed.get("intent") or {}).get("name") or ""
        predicted.append((ranking[0] if ranking else top, top == FALLBACK_INTENT))
    return predicted


def score(gold: List[str], predictions: List[Tuple[str, bool]]) -> Dict:
    labels = sorted(set(gold))
    predicted = [intent for intent, _ in predictions]
    return {
        "n": len(gold),
        "fallback_rate": round(sum(fell_back for _, fell_back in predictions) / max(len(gold), 1), 4),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "macro_f1": round(
            float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
    }


async def evaluate_model(model: Path, test_dir: Path) -> Dict[str, Dict]:
    """Scores per language for every ``<lang>.yml`` in ``test_dir``."""
    agent = Agent.load(str(model))
    results = {}
    for language in SUPPORTED_LANGUAGES:
        path = test_dir / f"{language}.yml"
        if not path.exists():
            continue
        sentences = labelled_sentences(path)
        predicted = await predict_intents(agent, [text for text, _ in sentences])
        results[language] = score([intent for _, intent in sentences], predicted)
    return results
