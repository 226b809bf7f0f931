"""Keeps the conversation's language in the ``language`` slot, sticky and explicit.

This policy never chooses an action (all its probabilities are zero, and its priority is
below every Rasa policy); it only contributes a ``SlotSet`` event, which Rasa applies
whichever policy wins, before the next action runs. So the very first answer to a German
message is already German.

Why a policy and not a ``language`` entity mapped to the slot: an extra entity on every
message would make each ``rasa test`` conversation test fail on entity mismatches, and a
policy can also see the channel's language hint and the current slot value.

The rule: a confident guess switches the language; an unsure one ("ok", "123", "saldo")
leaves it as it is. Before the language is known, the channel's hint (message metadata
``language``, e.g. the widget's language picker or Telegram's ``language_code``) decides
for unsure messages, and then an unsure guess that is still this policy's best bet.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.languages import LANGUAGE_ATTRIBUTE, LANGUAGE_SLOT, SUPPORTED_LANGUAGES

# Below TEDPolicy (1): this policy must never win an action prediction, nor tie.
LANGUAGE_POLICY_PRIORITY = 0


def _channel_hint(metadata: Optional[Dict[Text, Any]]) -> Optional[Text]:
    hint = (metadata or {}).get("language")
    if isinstance(hint, str):
        hint = hint.strip().lower()[:2]
        if hint in SUPPORTED_LANGUAGES:
            return hint
    return None


def next_language(
    current: Optional[Text],
    guess: Optional[Dict[Text, Any]],
    channel_hint: Optional[Text],
) -> Optional[Text]:
    """The conversation's language after one more customer message."""
    if guess and guess.get("confident") and guess.get("code") in SUPPORTED_LANGUAGES:
        return guess["code"]
    if current in SUPPORTED_LANGUAGES:
        return current
    if channel_hint:
        return channel_hint
    if guess and guess.get("confidence", 0.0) > 0.0:
        return guess.get("code")
    return current


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class LanguageSlotPolicy(Policy):
    """Sets the ``language`` slot from the NLU language guess; predicts no action."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": LANGUAGE_POLICY_PRIORITY}

    def train(
        self,
        training_trackers: List[TrackerWithCachedStates],
        domain: Domain,
        **kwargs: Any,
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if not any(slot.name == LANGUAGE_SLOT for slot in domain.slots):
            return self._prediction(probabilities)
        latest = tracker.latest_message
        current = tracker.get_slot(LANGUAGE_SLOT)
        target = next_language(
            current,
            (latest.parse_data or {}).get(LANGUAGE_ATTRIBUTE) if latest else None,
            _channel_hint(latest.metadata) if latest else None,
        )
        events = [SlotSet(LANGUAGE_SLOT, target)] if target != current else []
        return self._prediction(probabilities, events=events)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageSlotPolicy:
        return cls(config, model_storage, resource, execution_context)
