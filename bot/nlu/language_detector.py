"""Detects the language of each customer message, and says how sure it is.

Short messages ("ok", "hi", "saldo", "123") are ambiguous between our languages, and a
wrong switch makes the bot answer in a language the customer never used. So the detector
publishes a confidence and a ``confident`` flag; only confident guesses change the
conversation's language (see :mod:`bot.policies.language_policy`).

Two signals are blended: lingua (general language statistics, restricted to our four
languages) and a character n-gram classifier trained on our own NLU data, which knows
the customer-service vocabulary of each language (lingua alone calls "Hallo" English).
Cyrillic script is decisive on its own: Russian is our only Cyrillic language.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional, Text

from lingua import Language, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, METADATA_EXAMPLE, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from bot.nlu.persistence import load_model, save_model
from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_ATTRIBUTE, SUPPORTED_LANGUAGES

logger = logging.getLogger(__name__)

_LINGUA_LANGUAGES = {
    "en": Language.ENGLISH,
    "de": Language.GERMAN,
    "ru": Language.RUSSIAN,
    "id": Language.INDONESIAN,
}
_MODEL_FILE = "language_classifier.joblib"
# Language statistics need no more than this; 100 kB messages must not cost seconds.
_MAX_CHARS_TO_INSPECT = 1000


@dataclass(frozen=True)
class LanguageGuess:
    """One message's language: the best code, its confidence and whether to trust it."""

    code: Text
    confidence: float
    confident: bool

    def as_dict(self) -> Dict[Text, Any]:
        return asdict(self)


def language_from_training_metadata(message: Message) -> Optional[Text]:
    """The language a designer declared for an example (``metadata: {language: de}``)."""
    metadata = message.get(METADATA) or {}
    for level in (METADATA_EXAMPLE, METADATA_INTENT):
        declared = metadata.get(level)
        if isinstance(declared, dict) and declared.get("language") in SUPPORTED_LANGUAGES:
            return declared["language"]
    return None


def _is_cyrillic(char: Text) -> bool:
    return "\u0400" <= char <= "\u04ff"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class LanguageDetector(GraphComponent):
    """Sets ``language`` = ``{code, confidence, confident}`` on every message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # A guess with at least this confidence may switch the conversation.
            "min_confidence": 0.75,
            # One-word messages ("ok", "saldo") must be surer than that.
            "min_confidence_single_word": 0.9,
            # Share of lingua in the blend; the rest is our trained classifier.
            "lingua_weight": 0.4,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Optional[Pipeline] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._lingua = LanguageDetectorBuilder.from_languages(
            *_LINGUA_LANGUAGES.values()
        ).build()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        classifier = load_model(model_storage, resource, _MODEL_FILE)
        if classifier is None:
            logger.debug("No trained language classifier found; using lingua only.")
        return cls(config, model_storage, resource, classifier)

    def train(self, training_data: TrainingData) -> Resource:
        """Learns the vocabulary of each language from examples that declare theirs."""
        texts, labels = [], []
        for example in training_data.intent_examples:
            language = language_from_training_metadata(example)
            if language and example.get(TEXT):
                texts.append(example.get(TEXT).lower())
                labels.append(language)
        if len(set(labels)) < 2:
            logger.warning(
                "Fewer than two languages declared in the NLU data "
                "(metadata: {language: ..}); the language detector uses lingua only."
            )
            return self._resource
        classifier = make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000),
        )
        classifier.fit(texts, labels)
        self._classifier = classifier
        save_model(classifier, self._model_storage, self._resource, _MODEL_FILE)
        return self._resource

    def guess(self, text: Text) -> Optional[LanguageGuess]:
        """Best language for ``text``; ``None`` when it has no letters at all."""
        sample = (text or "")[:_MAX_CHARS_TO_INSPECT]
        letters = [char for char in sample if char.isalpha()]
        if not letters:
            return None
        if sum(_is_cyrillic(char) for char in letters) * 2 >= len(letters):
            return LanguageGuess("ru", 1.0, True)

        scores = self._blended_scores(sample)
        code = max(scores, key=scores.get)
        confidence = float(scores[code])  # numpy scalars break the tracker's JSON
        single_word = len(sample.split()) <= 1
        threshold = self._config[
            "min_confidence_single_word" if single_word else "min_confidence"
        ]
        return LanguageGuess(code, round(confidence, 4), bool(confidence >= threshold))

    def _blended_scores(self, text: Text) -> Dict[Text, float]:
        lingua_scores = {code: 0.0 for code in SUPPORTED_LANGUAGES}
        for value in self._lingua.compute_language_confidence_values(text):
            code = value.language.iso_code_639_1.name.lower()
            if code in lingua_scores:
                lingua_scores[code] = value.value
        if self._classifier is None:
            return lingua_scores
        probabilities = self._classifier.predict_proba([text.lower()])[0]
        own_scores = dict(zip(self._classifier.classes_, probabilities))
        weight = self._config["lingua_weight"]
        return {
            code: weight * lingua_scores[code] + (1 - weight) * own_scores.get(code, 0.0)
            for code in SUPPORTED_LANGUAGES
        }

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples get their declared language, so lemmas follow the file."""
        for example in training_data.training_examples:
            if not example.get(TEXT):
                continue
            declared = language_from_training_metadata(example)
            if declared:
                example.set(LANGUAGE_ATTRIBUTE, LanguageGuess(declared, 1.0, True).as_dict())
            else:
                self._set_guess(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._set_guess(message)
        return messages

    def _set_guess(self, message: Message) -> None:
        guess = self.guess(message.get(TEXT) or "")
        if guess is None:
            guess = LanguageGuess(DEFAULT_LANGUAGE, 0.0, False)
        message.set(LANGUAGE_ATTRIBUTE, guess.as_dict(), add_to_output=True)
