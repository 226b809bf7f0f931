"""Knows when the bot must not answer: hands the conversation to a person, with reasons.

After each customer message the policy checks every reason of the contract and, when
any holds, predicts ``action_handoff`` with certainty. Its priority is above all of
Rasa's policies, so a sensitive message never gets a small-talk answer first. The
reasons and the scores behind them go into the ``handoff`` slot (applied only when the
policy wins), which ``action_handoff`` turns into the payload for the desk.

Reasons (fixed vocabulary): ``low_confidence``, ``ambiguous``, ``sensitive:<topic>``,
``requested``, ``repeated_fallback``, ``negative_sentiment``. ``action_failed`` is
raised by the actions themselves (see ``actions/safety.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlu.sensitivity import NOT_SENSITIVE, SENSITIVITY_ATTRIBUTE

ACTION_HANDOFF = "action_handoff"
HANDOFF_SLOT = "handoff"
FALLBACK_INTENT = "nlu_fallback"
# Above RulePolicy (4) and every other Rasa policy: unique, never ties.
HANDOFF_POLICY_PRIORITY = 7


@dataclass(frozen=True)
class HandoffThresholds:
    low_confidence: float
    ambiguity_margin: float
    sensitivity: float
    repeated_fallbacks: int
    complaints: int
    complaint_window: int

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "HandoffThresholds":
        return cls(
            low_confidence=float(config["low_confidence_threshold"]),
            ambiguity_margin=float(config["ambiguity_margin"]),
            sensitivity=float(config["sensitivity_threshold"]),
            repeated_fallbacks=int(config["repeated_fallbacks"]),
            complaints=int(config["complaints_for_negative_sentiment"]),
            complaint_window=int(config["complaint_window_turns"]),
        )


def _ranking(parse_data: Dict[Text, Any]) -> List[Tuple[Text, float]]:
    """Classifier intents, best first, without the FallbackClassifier's verdict."""
    ranking = [
        (item["name"], float(item.get("confidence") or 0.0))
        for item in parse_data.get("intent_ranking") or []
        if item.get("name") != FALLBACK_INTENT
    ]
    if not ranking:
        intent = parse_data.get("intent") or {}
        if intent.get("name") and intent["name"] != FALLBACK_INTENT:
            ranking = [(intent["name"], float(intent.get("confidence") or 0.0))]
    return ranking


def handoff_reasons(
    parse_data: Dict[Text, Any],
    earlier_intents: List[Optional[Text]],
    thresholds: HandoffThresholds,
    answering_a_form: bool = False,
) -> Tuple[List[Text], Dict[Text, Any]]:
    """Every reason that holds for the latest message, and the scores behind them.

    ``earlier_intents`` are the predicted intents of the customer's previous messages in
    this conversation, oldest first. While a form asks for something ("12345678" for an
    account number), an unsure intent is expected: the form validates the answer, so
    low confidence, ambiguity and fallbacks are no reason to hand off then.
    """
    reasons: List[Text] = []
    ranking = _ranking(parse_data)
    top_intent, top = ranking[0] if ranking else (None, 0.0)
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    sensitivity = parse_data.get(SENSITIVITY_ATTRIBUTE) or {}
    topic, sensitivity_score = sensitivity.get("topic", NOT_SENSITIVE), float(sensitivity.get("score") or 0.0)
    scores = {
        "intent": top_intent,
        "confidence": round(top, 4),
        "margin": round(top - second, 4),
        "sensitivity": {"topic": topic, "score": round(sensitivity_score, 4)},
    }
    is_sensitive = topic != NOT_SENSITIVE and sensitivity_score >= thresholds.sensitivity
    if is_sensitive:
        reasons.append(f"sensitive:{topic}")
    if top_intent == "request_human" and top >= thresholds.low_confidence:
        reasons.append("requested")
    if answering_a_form:
        pass
    elif top < thresholds.low_confidence:
        reasons.append("low_confidence")
    elif len(ranking) > 1 and top - second < thresholds.ambiguity_margin:
        reasons.append("ambiguous")
    current_intent = (parse_data.get("intent") or {}).get("name")
    fallbacks = 0
    for intent in [*earlier_intents, current_intent][::-1]:
        if intent != FALLBACK_INTENT:
            break
        fallbacks += 1
    if fallbacks >= thresholds.repeated_fallbacks and not answering_a_form:
        reasons.append("repeated_fallback")
    recent = [*earlier_intents[-(thresholds.complaint_window - 1):], top_intent] if thresholds.complaint_window > 1 else [top_intent]
    if (top_intent == "complain" and recent.count("complain") >= thresholds.complaints) or (
        is_sensitive and topic == "strong_anger"
    ):
        reasons.append("negative_sentiment")
    return reasons, scores


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class HandoffPolicy(Policy):
    """Predicts ``action_handoff`` whenever a handoff reason holds."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "priority": HANDOFF_POLICY_PRIORITY,
            "low_confidence_threshold": 0.4,
            "ambiguity_margin": 0.1,
            "sensitivity_threshold": 0.35,
            "repeated_fallbacks": 2,
            "complaints_for_negative_sentiment": 2,
            "complaint_window_turns": 4,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 execution_context: ExecutionContext, **kwargs: Any) -> None:
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.thresholds = HandoffThresholds.from_config(self.config)

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        # Nothing to learn: persist the thresholds so a loaded model explains itself.
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "thresholds.json").write_text(str(self.thresholds))
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "HandoffPolicy":
        return cls(config, model_storage, resource, execution_context)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if ACTION_HANDOFF not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        user_events = [e for e in tracker.applied_events() if isinstance(e, UserUttered)]
        since_user = self._actions_since_last_user_message(tracker)
        if since_user and since_user[-1] == ACTION_HANDOFF:
            # Handed off: wait for the next message (or the agent handing back).
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities)
        if not user_events or since_user:
            # Only the first decision after a customer message may hand off, and a
            # message that was handed off and handed back is not handed off again.
            return self._prediction(probabilities)
        latest = user_events[-1]
        earlier = [(e.intent or {}).get("name") for e in user_events[:-1]]
        reasons, scores = handoff_reasons(
            latest.parse_data or {}, earlier, self.thresholds,
            answering_a_form=bool(tracker.active_loop_name),
        )
        if not reasons:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(ACTION_HANDOFF)] = 1.0
        decision = {"reasons": reasons, "scores": scores}
        return self._prediction(
            probabilities,
            optional_events=[SlotSet(HANDOFF_SLOT, decision)],
            diagnostic_data=decision,
        )

    @staticmethod
    def _actions_since_last_user_message(tracker: DialogueStateTracker) -> List[Text]:
        names: List[Text] = []
        for event in reversed(tracker.applied_events()):
            if isinstance(event, UserUttered):
                break
            if isinstance(event, ActionExecuted) and event.action_name not in (None, "action_extract_slots"):
                names.append(event.action_name)
        return names[::-1]
