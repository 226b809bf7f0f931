"""Splits text into tokens and lemmas with the rules of the message's own language.

German and Russian inflect heavily ("Girokonto/Girokontos", "счёт/счёте/счета"); with
lemmas on each token the count-vector featurizers (``use_lemma``) see one feature where
a whitespace tokenizer sees several, which is what makes small per-language data enough.
The language comes from :class:`bot.nlu.language_detector.LanguageDetector`, which must
run before this component. Lemmas come from ``spacy-lookups-data`` tables loaded into a
blank spaCy pipeline: nothing is downloaded at run time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_ATTRIBUTE, SUPPORTED_LANGUAGES


# "#10234" and "№ 10234" are order numbers: their prefix is part of the entity.
_ID_PREFIXES = {"#", "№"}
_TRAILING_PUNCTUATION = ".,;:!?)\"'»"


@lru_cache(maxsize=None)
def blank_pipeline(language: Text) -> spacy.language.Language:
    """A tokenizer plus lookup lemmatizer for ``language``; built once per process."""
    nlp = spacy.blank(language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@lru_cache(maxsize=None)
def lookup_table(language: Text) -> Any:
    """The ``lemma_lookup`` table of ``language``'s lemmatizer."""
    return blank_pipeline(language).get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def _is_droppable_punctuation(text: Text) -> bool:
    """Single punctuation marks carry no meaning, except the ones that start an id."""
    return len(text) == 1 and not text.isalnum() and text not in _ID_PREFIXES


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class LemmaTokenizer(Tokenizer):
    """Language-aware tokenizer that fills ``Token.lemma`` for every token."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Languages whose tokens get dictionary lemmas; the others keep the word.
            "lemmatize_languages": list(SUPPORTED_LANGUAGES),
            # The lookup tables are keyed on lower-case forms (German nouns aside), so a
            # capitalised word ("Покажите" at the start of a sentence) finds no lemma;
            # with this on it gets the lemma of its lower-case form instead.
            "lowercase_lookup": False,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LemmaTokenizer:
        for language in SUPPORTED_LANGUAGES:  # fail at start, not on a first message
            blank_pipeline(language)
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        language = self._language_of(message) if attribute == TEXT else DEFAULT_LANGUAGE
        lemmatize = language in self._config["lemmatize_languages"] and (
            attribute != TEXT or self._is_confident(message)
        )
        tokens = []
        for token in blank_pipeline(language)(text):
            if token.is_space or _is_droppable_punctuation(token.text):
                continue
            # Some languages' rules keep "C-58812." together; entities end before the dot.
            word = token.text.rstrip(_TRAILING_PUNCTUATION) or token.text
            lemma = self._lemma(token, language) if word == token.text and lemmatize else word
            tokens.append(Token(word, token.idx, lemma=(lemma or word).lower()))
        if not tokens:  # emoji-only or punctuation-only text still needs one token
            tokens = [Token(text, 0, lemma=text)]
        return self._apply_token_pattern(tokens)

    def _lemma(self, token: Any, language: Text) -> Text:
        lemma = token.lemma_
        lower = token.text.lower()
        if self._config.get("lowercase_lookup") and lemma == token.text and lower != token.text:
            return lookup_table(language).get(lower, lower)
        return lemma

    @staticmethod
    def _is_confident(message: Message) -> bool:
        """Lemmas by the wrong language's dictionary are noise: an unsure guess
        ("ok", "aye", "ta") keeps the plain words."""
        guess: Optional[Dict[Text, Any]] = message.get(LANGUAGE_ATTRIBUTE)
        return bool(guess and guess.get("confident"))

    @staticmethod
    def _language_of(message: Message) -> Text:
        guess: Optional[Dict[Text, Any]] = message.get(LANGUAGE_ATTRIBUTE)
        if guess and guess.get("code") in SUPPORTED_LANGUAGES:
            return guess["code"]
        return DEFAULT_LANGUAGE
