"""Checks that a message classified as a request for a person mentions one.

DIET is very sure of itself on questions it has never seen: "can my teenager get a
debit card?" comes out as ``request_human`` with a confidence near 1, and the bot hands
a perfectly ordinary question to the queue. Every real request for a person in our data
names one ("agent", "Mitarbeiter", "оператор", "CS", a call back, "not a bot"), so when
the classifier says ``request_human`` and the message names nobody, this component lets
``out_of_scope`` and ``request_human`` swap places: the customer gets the answer that
says what the bot can do and how to reach a person. The cues are word beginnings per
language, set in ``config.yml`` (so a change retrains the model); English cues count in
every language, since customers mix in "agent" or "admin". Some phrases hold a cue and
name no one: "update my phone number", a parcel waiting "di agen" (at the pickup point);
``not_a_person`` lists them per language and they are blanked out before the cues are
looked for. The decision is in the message's output as ``person_request_check``.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.languages import LANGUAGE_ATTRIBUTE, SUPPORTED_LANGUAGES

CHECK_ATTRIBUTE = "person_request_check"


def has_cue(text: str, cues: List[str], not_a_person: Sequence[str] = ()) -> bool:
    """Whether a word of ``text`` starts with a cue (cues with a space match as phrases).

    Phrases of ``not_a_person`` are removed first, whole words only, so that "my phone
    number" does not count as "phone" while "call me on my phone number" still has "call".
    """
    lowered = " ".join(re.findall(r"\w+", text.lower()))
    for phrase in not_a_person:
        lowered = re.sub(rf"\b{re.escape(phrase)}\b", " ", lowered)
    words = lowered.split()  # only words and spaces are left: no second tokenising pass
    return any(cue in lowered if " " in cue else any(word.startswith(cue) for word in words) for cue in cues)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequestCheck(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent": "request_human", "instead": "out_of_scope", "cues": {}, "not_a_person": {}}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.intent, self.instead = config["intent"], config["instead"]
        cues = config.get("cues") or {}
        not_a_person = config.get("not_a_person") or {}
        if set(cues) - set(SUPPORTED_LANGUAGES) or "en" not in cues:
            raise ValueError(f"PersonRequestCheck cues need an 'en' list and only languages of "
                             f"{SUPPORTED_LANGUAGES}; got {sorted(cues)}.")
        if set(not_a_person) - set(SUPPORTED_LANGUAGES):
            raise ValueError(f"PersonRequestCheck not_a_person takes only languages of "
                             f"{SUPPORTED_LANGUAGES}; got {sorted(not_a_person)}.")
        self.cues = self._lowered(cues)
        self.not_a_person = self._lowered(not_a_person)

    @staticmethod
    def _lowered(per_language: Dict[Text, List[Text]]) -> Dict[Text, List[str]]:
        return {language: [str(word).lower() for word in words] for language, words in per_language.items()}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PersonRequestCheck":
        return cls(config)

    @staticmethod
    def _for(language: Optional[Text], per_language: Dict[Text, List[str]]) -> List[str]:
        """The language's words and the English ones; every language's when it is unknown."""
        if language in SUPPORTED_LANGUAGES:
            return per_language.get(language, []) + (per_language.get("en", []) if language != "en" else [])
        return [word for words in per_language.values() for word in words]

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") != self.intent:
                continue
            language = (message.get(LANGUAGE_ATTRIBUTE) or {}).get("code")
            if has_cue(message.get(TEXT) or "", self._for(language, self.cues),
                       self._for(language, self.not_a_person)):
                message.set(CHECK_ATTRIBUTE, {"person_named": True}, add_to_output=True)
                continue
            swap = {self.intent: self.instead, self.instead: self.intent}
            message.set(INTENT, {**intent, "name": self.instead}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{**entry, "name": swap.get(entry["name"], entry["name"])}
                                             for entry in message.get(INTENT_RANKING_KEY) or []], add_to_output=True)
            message.set(CHECK_ATTRIBUTE, {"person_named": False, "classified_as": self.intent}, add_to_output=True)
        return messages
