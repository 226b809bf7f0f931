"""Train an NLU model and score it on held-out sentences, per language.

Shared by the NLU benchmark (``bench/nlu.py``) and the NLU regression tests, so both
measure the same thing the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

from rasa.core.agent import Agent
from rasa.model_training import train_nlu
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import accuracy_score, f1_score

from bot.languages import SUPPORTED_LANGUAGES


def train_nlu_model(config: Path, nlu_data: Path, output: Path) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    model = train_nlu(str(config), str(nlu_data), str(output), fixed_model_name="nlu")
    if not model:
        raise RuntimeError(f"Training with {config} produced no model; see the log above.")
    return Path(model)


def labelled_sentences(path: Path) -> List[Tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU file, entity markup removed."""
    data = load_data(str(path))
    return [(example.get(TEXT), example.get(INTENT)) for example in data.intent_examples]


async def predict_intents(agent: Agent, texts: List[str]) -> List[str]:
    predicted = []
    for text in texts:
        parsed = await agent.parse_message(text)
        predicted.append((parsed.get("intent") or {}).get("name") or "")
    return predicted


def score(gold: List[str], predicted: List[str]) -> Dict:
    labels = sorted(set(gold))
    return {
        "n": len(gold),
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
