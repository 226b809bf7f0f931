"""Recognises emotionally sensitive messages, in the customer's own language.

A bereaved customer, a fraud victim or someone in crisis must reach a person, and must
not get a cheerful bot answer first. The detector is trained on our own examples in
``data/sensitive/<lang>.yml`` (topics plus ordinary messages and hard negatives such as
"my phone died") and sets ``sensitivity = {topic, score, scores}`` on every message; the
handoff policy decides with its own threshold.

The model is a character and word n-gram logistic regression over all four languages:
small, fast, no downloads, and robust to typos and inflection. The NLU training
examples join the ordinary messages as negatives, and every example is also learnt
inside ordinary requests (:mod:`bot.nlu.passing_mentions`). The example files are
read at training time; ``bot/train.py`` fingerprints them and trains with ``--force``,
so a changed file always retrains the model.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from ruamel.yaml import YAML
from sklearn.pipeline import Pipeline

from bot.nlu.language_detector import language_from_training_metadata
from bot.nlu.ngram_model import ngram_logistic_regression
from bot.nlu.passing_mentions import compose_passing_mentions
from bot.nlu.persistence import SklearnModelComponent
from bot.settings import ROOT

SENSITIVITY_ATTRIBUTE = "sensitivity"
NOT_SENSITIVE = "none"
TOPICS = (
    "bereavement", "divorce", "serious_illness", "accident",
    "fraud", "threat_or_self_harm", "strong_anger",
)


def read_example_file(path: Path) -> Tuple[List[str], List[str]]:
    """(texts, labels) of one ``<lang>.yml``: its topics and its ordinary messages."""
    document = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    texts: List[str] = []
    labels: List[str] = []
    for topic, examples in (document.get("topics") or {}).items():
        if topic not in TOPICS:
            raise ValueError(f"{path}: unknown topic '{topic}'; use one of {', '.join(TOPICS)}.")
        texts += [str(example) for example in examples]
        labels += [topic] * len(examples)
    ordinary = document.get("ordinary") or []
    texts += [str(example) for example in ordinary]
    labels += [NOT_SENSITIVE] * len(ordinary)
    return texts, labels


def read_examples(directory: Path) -> Dict[str, Tuple[List[str], List[str]]]:
    """(texts, labels) of every ``<lang>.yml`` in ``directory``, by language."""
    return {path.stem: read_example_file(path) for path in sorted(directory.glob("*.yml"))}


def training_set(
    examples: Dict[str, Tuple[List[str], List[str]]],
    requests: Dict[str, List[str]],
    passing_mentions: int,
) -> Tuple[List[str], List[str]]:
    """What the classifier learns from: the examples, every ordinary request (an
    ordinary message too: "I want a real person" is a request, not a crisis), and
    ``passing_mentions`` joinings of each example with a request of its language
    (:mod:`bot.nlu.passing_mentions`)."""
    texts: List[str] = []
    labels: List[str] = []
    for language in sorted(examples):
        texts += examples[language][0]
        labels += examples[language][1]
    for language in sorted(requests):
        texts += requests[language]
        labels += [NOT_SENSITIVE] * len(requests[language])
    more_texts, more_labels = compose_passing_mentions(examples, requests, passing_mentions)
    return texts + more_texts, labels + more_labels


def build_classifier() -> Pipeline:
    return ngram_logistic_regression(regularisation_c=100.0)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SensitivityDetector(SklearnModelComponent):
    """Sets ``sensitivity`` = ``{topic, score, scores}`` on every message."""

    MODEL_FILE = "sensitivity_classifier.joblib"
    UNTRAINED = "No trained sensitivity model; no message will be marked sensitive."

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # passing_mentions: how often each example is also joined to an ordinary
        # request of its language (bot/nlu/passing_mentions.py); 0 turns it off.
        return {"examples_dir": "data/sensitive", "passing_mentions": 3}

    def _examples_dir(self) -> Path:
        directory = Path(self._config["examples_dir"])
        return directory if directory.is_absolute() else ROOT / directory

    def train(self, training_data: TrainingData) -> Resource:
        examples = read_examples(self._examples_dir())
        requests: Dict[str, List[str]] = defaultdict(list)
        for example in training_data.intent_examples:
            if example.get(TEXT):
                # An example that declares no language is still ordinary; it is just
                # never joined to a sensitive one.
                requests[language_from_training_metadata(example) or ""].append(example.get(TEXT))
        texts, labels = training_set(examples, requests, self._config["passing_mentions"])
        if len(set(labels)) < 2:
            raise ValueError(
                f"No sensitivity examples found in {self._examples_dir()}; add "
                "<lang>.yml files with `topics:` and `ordinary:` (see data/sensitive/)."
            )
        return self._keep(build_classifier().fit(texts, labels))

    def assess(self, text: Text) -> Dict[Text, Any]:
        """``{topic, score, scores}``: ``score`` is the probability that the message is
        sensitive at all (1 - P(ordinary)), ``topic`` the likeliest sensitive topic.

        A widow writing about her late husband's card may look half bereavement, half
        fraud; neither topic alone passes the threshold, but together they say clearly
        that this is not an ordinary message. Cross-validation on our examples
        (``bench/sensitivity_cv.py``) finds more sensitive messages at the same false
        alarm rate this way than with the single best topic's probability."""
        if self._model is None or not (text or "").strip():
            return {"topic": NOT_SENSITIVE, "score": 0.0, "scores": {}}
        scores = self.class_probabilities(text)
        topic_scores = {topic: round(scores.get(topic, 0.0), 4) for topic in TOPICS}
        topic = max(topic_scores, key=topic_scores.get)
        return {"topic": topic, "score": round(1.0 - scores.get(NOT_SENSITIVE, 0.0), 4), "scores": topic_scores}

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.set(SENSITIVITY_ATTRIBUTE, self.assess(message.get(TEXT) or ""), add_to_output=True)
        return messages
