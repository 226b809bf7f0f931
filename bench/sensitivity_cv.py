"""Tuning the sensitivity threshold on training data only (5-fold cross-validation).

The held-out escalation test files must not choose the threshold, so this script
re-trains the detector's classifier on four fifths of ``data/sensitive/`` plus the NLU
examples (as ordinary messages), with the joinings the detector learns from, and scores
the fifth it did not see, for every fold.
For each threshold it reports, per language, the share of sensitive examples flagged
(recall), and the share of hard negatives (``ordinary:`` in data/sensitive) and of
NLU examples flagged (false alarms). Writes ``bench/results/sensitivity_cv.{json,md}``.

Usage: ``python -m bench.sensitivity_cv``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Dict, List

import numpy as np
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.model_selection import StratifiedKFold

from bot.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.nlu.sensitivity import (
    NOT_SENSITIVE, SensitivityDetector, build_classifier, read_example_file, training_set,
)
from bot.settings import component_config

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
THRESHOLDS = (0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
FOLDS = 5


def examples() -> Dict[str, np.ndarray]:
    texts, labels, kinds, languages = [], [], [], []
    for language in SUPPORTED_LANGUAGES:
        topic_texts, topic_labels = read_example_file(ROOT / "data" / "sensitive" / f"{language}.yml")
        nlu = [e.get("text") for e in load_data(str(ROOT / "data" / "nlu" / f"{language}.yml")).intent_examples]
        texts += topic_texts + nlu
        labels += topic_labels + [NOT_SENSITIVE] * len(nlu)
        kinds += ["sensitive" if label != NOT_SENSITIVE else "hard_negative" for label in topic_labels]
        kinds += ["nlu"] * len(nlu)
        languages += [language] * (len(topic_texts) + len(nlu))
    return {name: np.array(values) for name, values in
            (("texts", texts), ("labels", labels), ("kinds", kinds), ("languages", languages))}


def fold_training_set(data: Dict[str, np.ndarray], rows: np.ndarray, passing_mentions: int):
    """The rows as the detector trains on them (:func:`bot.nlu.sensitivity.training_set`),
    so the joinings of a held-out example never reach its own fold's model."""
    examples, requests = {}, {}
    for language in SUPPORTED_LANGUAGES:
        mine = rows[data["languages"][rows] == language]
        own = mine[data["kinds"][mine] != "nlu"]
        examples[language] = (list(data["texts"][own]), list(data["labels"][own]))
        requests[language] = list(data["texts"][mine[data["kinds"][mine] == "nlu"]])
    return training_set(examples, requests, passing_mentions)


def out_of_fold_scores(data: Dict[str, np.ndarray]) -> np.ndarray:
    """The detector's score (1 - P(ordinary)) for every example, from a model that did
    not see it."""
    passing_mentions = component_config("pipeline", SensitivityDetector)["passing_mentions"]
    scores = np.zeros(len(data["texts"]))
    strata = np.char.add(np.char.add(data["labels"], "|"), data["languages"])
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(data["texts"], strata)
    for number, (train, held_out) in enumerate(folds, start=1):
        texts, labels = fold_training_set(data, train, passing_mentions)
        print(f"fold {number}/{FOLDS}: training on {len(texts)} examples ...", flush=True)
        classifier = build_classifier().fit(texts, labels)
        ordinary = list(classifier.classes_).index(NOT_SENSITIVE)
        scores[held_out] = 1.0 - classifier.predict_proba(data["texts"][held_out])[:, ordinary]
    return scores


def table(data: Dict[str, np.ndarray], scores: np.ndarray) -> List[Dict]:
    rows = []
    for threshold in THRESHOLDS:
        row: Dict = {"threshold": threshold, "languages": {}}
        for language in SUPPORTED_LANGUAGES:
            mine = data["languages"] == language
            rate = {kind: round(float((scores[mine & (data["kinds"] == kind)] >= threshold).mean()), 4)
                    for kind in ("sensitive", "hard_negative", "nlu")}
            row["languages"][language] = rate
        rows.append(row)
    return rows


def markdown(rows: List[Dict], date: str) -> str:
    lines = [
        "# Sensitivity threshold, cross-validated on training data",
        "",
        f"{FOLDS}-fold cross-validation over `data/sensitive/` and `data/nlu/` (no test data). "
        "Per language: recall on sensitive examples / false alarms on hard negatives / false "
        f"alarms on NLU examples, for the sensitivity score alone (other handoff reasons not "
        f"included). Run {date}.",
        "",
        "| threshold | " + " | ".join(LANGUAGE_NAMES[lang] for lang in SUPPORTED_LANGUAGES) + " |",
        "|---|" + "---|" * len(SUPPORTED_LANGUAGES),
    ]
    for row in rows:
        cells = [f"{r['sensitive']:.3f} / {r['hard_negative']:.3f} / {r['nlu']:.3f}"
                 for r in (row["languages"][lang] for lang in SUPPORTED_LANGUAGES)]
        lines.append(f"| {row['threshold']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    data = examples()
    scores = out_of_fold_scores(data)
    rows = table(data, scores)
    date = time.strftime("%Y-%m-%d")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sensitivity_cv.json").write_text(json.dumps({"date": date, "folds": FOLDS, "rows": rows}, indent=2) + "\n")
    (RESULTS / "sensitivity_cv.md").write_text(markdown(rows, date))
    print(f"Sensitivity cross-validation done ({len(data['texts'])} examples); see bench/results/sensitivity_cv.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
