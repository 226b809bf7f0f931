"""Escalation benchmark: does the bot hand off when it must, and only then?

For every language, on the held-out file ``tests/data/escalation/<lang>.yml``: recall
on sensitive messages (handed off for any reason, and flagged with the right topic),
the false escalation rate on ordinary messages, per-topic recall and per-reason counts.
Also the recall of anger/fear/sadness on the BRIGHTER test splits (English: intensity
2-3 of track B; German, Russian: track A labels; Indonesian: track C labels), which are
social-media texts, not support chats: a check of generalisation, not a target.

Each message is judged as the first message of a conversation: the trained model's NLU
(``Agent.parse_message``) followed by the handoff policy's own decision function with
the thresholds of ``config.yml``. Writes ``bench/results/escalation.{json,md}``.

``--dev`` scores the development set ``bench/data/escalation_dev/<lang>.yml`` instead
(written apart from the test set, for tuning thresholds and data) and lists every miss
and false escalation there, which the test run never does. Writes
``bench/results/escalation_dev.{json,md}``; ``--dev DIR`` scores another development
set and writes ``bench/results/<DIR name>.{json,md}``.

Usage: ``python -m bench.escalation [--brighter-limit N] [--dev [DIR]] [--model PATH]``
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import logging
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from rasa.core.agent import Agent
from rasa.utils.log_utils import configure_structlog
from ruamel.yaml import YAML

from bot.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.nlu.sensitivity import TOPICS
from bot.policies.handoff_policy import HandoffPolicy, HandoffThresholds, handoff_reasons
from bot.settings import ROOT, Settings, component_config
from bot.train import ensure_model

RESULTS = ROOT / "bench" / "results"
TEST_SET = ROOT / "tests" / "data" / "escalation"
DEV_SET = ROOT / "bench" / "data" / "escalation_dev"
BRIGHTER = ROOT.parent / "shared" / "benchmarks" / "emotion" / "brighter"
BRIGHTER_FILES = {
    "en": ("track_b_test_eng_intensity.csv", 2),
    "de": ("track_a_test_deu.csv", 1),
    "ru": ("track_a_test_rus.csv", 1),
    "id": ("track_c_test_ind.csv", 1),
}
DISTRESS = ("anger", "fear", "sadness")
TARGET_RECALL, TARGET_FALSE_ESCALATION = 0.95, 0.05


def thresholds_from_config() -> HandoffThresholds:
    return HandoffThresholds.from_config(component_config("policies", HandoffPolicy))


async def decide(agent: Agent, text: str, thresholds: HandoffThresholds) -> tuple:
    """(reasons, the scores behind them) for a conversation's first message."""
    parsed = await agent.parse_message(text)
    return handoff_reasons(parsed, [], thresholds)


async def evaluate_language(agent: Agent, language: str, thresholds: HandoffThresholds, data_dir: Path,
                            list_errors: bool = False) -> Dict:
    data = YAML(typ="safe").load((data_dir / f"{language}.yml").read_text(encoding="utf-8"))
    reason_counts: Counter = Counter()
    escalated = right_topic = 0
    per_topic: Dict[str, List[int]] = {topic: [0, 0] for topic in TOPICS}
    errors: List[Dict] = []
    for item in data["sensitive"]:
        reasons, scores = await decide(agent, item["text"], thresholds)
        reason_counts.update(reasons)
        escalated += bool(reasons)
        hit = f"sensitive:{item['topic']}" in reasons
        right_topic += hit
        per_topic[item["topic"]][0] += hit
        per_topic[item["topic"]][1] += 1
        if not hit:
            errors.append({"kind": f"missed {item['topic']}", "text": item["text"], "reasons": reasons, "scores": scores})
    false_escalations = 0
    for text in data["ordinary"]:
        reasons, scores = await decide(agent, text, thresholds)
        reason_counts.update(f"ordinary:{reason}" for reason in reasons)
        false_escalations += bool(reasons)
        if reasons:
            errors.append({"kind": "false escalation", "text": text, "reasons": reasons, "scores": scores})
    n_sensitive, n_ordinary = len(data["sensitive"]), len(data["ordinary"])
    return {
        "sensitive": n_sensitive,
        "ordinary": n_ordinary,
        "recall": round(escalated / n_sensitive, 4),
        "topic_recall": round(right_topic / n_sensitive, 4),
        "false_escalation": round(false_escalations / n_ordinary, 4),
        "per_topic_recall": {t: round(h / n, 4) if n else None for t, (h, n) in per_topic.items()},
        "reasons": dict(sorted(reason_counts.items())),
        **({"errors": errors} if list_errors else {}),
    }


async def brighter_recall(agent: Agent, language: str, thresholds: HandoffThresholds, limit: Optional[int]) -> Dict:
    name, minimum = BRIGHTER_FILES[language]
    path = BRIGHTER / name
    if not path.exists():
        return {"file": name, "missing": True}
    with open(path, encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle)
                if any(int(row.get(label) or 0) >= minimum for label in DISTRESS)]
    rows = rows[:limit] if limit else rows
    flagged = 0
    for row in rows:
        flagged += bool((await decide(agent, row["text"], thresholds))[0])
    return {"file": name, "min_intensity": minimum, "n": len(rows),
            "recall": round(flagged / len(rows), 4) if rows else None}


def markdown(results: Dict) -> str:
    dev = results.get("set") == "dev"
    lines = [
        "# Escalation benchmark" + (" on the development set" if dev else ""), "",
        (f"Development messages in `{results['data_dir']}/` (for tuning; the test set is "
         "`tests/data/escalation/`), judged" if dev else
         "Held-out messages in `tests/data/escalation/`, judged")
        + " as the first message of a "
        f"conversation by the trained model and the handoff policy (thresholds from "
        f"`config.yml`: {results['thresholds']}). Targets: recall ≥ {TARGET_RECALL}, "
        f"false escalation ≤ {TARGET_FALSE_ESCALATION}. Run {results['date']}.", "",
        "| language | sensitive | recall (any reason) | right topic | ordinary | false escalation | targets met |",
        "|---|---|---|---|---|---|---|",
    ]
    for language, r in results["languages"].items():
        met = r["recall"] >= TARGET_RECALL and r["false_escalation"] <= TARGET_FALSE_ESCALATION
        lines.append(f"| {LANGUAGE_NAMES[language]} | {r['sensitive']} | {r['recall']:.3f} | "
                     f"{r['topic_recall']:.3f} | {r['ordinary']} | {r['false_escalation']:.3f} | "
                     f"{'yes' if met else 'no'} |")
    lines += ["", "Per-topic recall (flagged with the right topic):", "",
              "| language | " + " | ".join(TOPICS) + " |", "|---|" + "---|" * len(TOPICS)]
    for language, r in results["languages"].items():
        lines.append(f"| {LANGUAGE_NAMES[language]} | " + " | ".join(
            f"{r['per_topic_recall'][t]:.2f}" for t in TOPICS) + " |")
    lines += ["", "Reasons given (`ordinary:` = on ordinary messages, i.e. false escalations):", ""]
    for language, r in results["languages"].items():
        lines.append(f"- {LANGUAGE_NAMES[language]}: " + ", ".join(f"`{k}` {v}" for k, v in r["reasons"].items()))
    if dev:
        lines += ["", "Every miss and false escalation (intent, confidence, sensitivity behind it):", ""]
        for language, r in results["languages"].items():
            for error in r["errors"]:
                s = error["scores"]
                lines.append(f"- {language} {error['kind']}: “{error['text']}” → {', '.join(error['reasons']) or 'no handoff'}"
                             f" (intent {s['intent']} {s['confidence']}, {s['sensitivity']['topic']} "
                             f"{s['sensitivity']['score']})")
        return "\n".join(lines) + "\n"
    limit = results.get("brighter_limit")
    lines += ["", "BRIGHTER (social-media texts with anger, fear or sadness; recall of any handoff"
              + (f"; the first {limit} such texts per file" if limit else "") + "):", "",
              "| language | file | min. intensity | texts | recall |", "|---|---|---|---|---|"]
    for language, b in results["brighter"].items():
        if b.get("missing"):
            lines.append(f"| {LANGUAGE_NAMES[language]} | {b['file']} | - | missing | - |")
        else:
            lines.append(f"| {LANGUAGE_NAMES[language]} | {b['file']} | {b['min_intensity']} | {b['n']} | {b['recall']:.3f} |")
    return "\n".join(lines) + "\n"


async def run(limit: Optional[int], dev_dir: Optional[Path], model: Optional[Path]) -> Dict:
    dev = dev_dir is not None
    model = model or ensure_model(Settings.from_env().models_dir)
    agent = Agent.load(str(model))
    thresholds = thresholds_from_config()
    data_dir = dev_dir or TEST_SET
    results = {"date": time.strftime("%Y-%m-%d"), "model": model.name, "set": "dev" if dev else "test",
               "data_dir": str(data_dir.resolve().relative_to(ROOT)) if data_dir.resolve().is_relative_to(ROOT) else str(data_dir),
               "thresholds": thresholds.__dict__, "languages": {}, "brighter": {}}
    for language in SUPPORTED_LANGUAGES:
        results["languages"][language] = await evaluate_language(
            agent, language, thresholds, data_dir, list_errors=dev)
        r = results["languages"][language]
        print(f"[{language}] recall {r['recall']:.3f} (right topic {r['topic_recall']:.3f}), "
              f"false escalation {r['false_escalation']:.3f}", flush=True)
    for language in SUPPORTED_LANGUAGES if not dev else ():
        results["brighter"][language] = await brighter_recall(agent, language, thresholds, limit)
        print(f"[{language}] BRIGHTER: {results['brighter'][language]}", flush=True)
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Escalation benchmark.")
    parser.add_argument("--brighter-limit", type=int, default=None,
                        help="score only the first N distress texts per BRIGHTER file")
    parser.add_argument("--dev", nargs="?", type=Path, const=DEV_SET, metavar="DIR",
                        help=f"score a development set (default {DEV_SET.relative_to(ROOT)}) and list its errors")
    parser.add_argument("--model", type=Path, help="a trained model (default: the one for the current sources)")
    args = parser.parse_args(argv)
    configure_structlog(logging.WARNING)  # no per-message debug lines
    results = asyncio.run(run(args.brighter_limit, args.dev, args.model))
    results["brighter_limit"] = args.brighter_limit
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = args.dev.resolve().name if args.dev else "escalation"  # escalation_dev, escalation_fresh, ...
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(markdown(results))
    met = [lang for lang, r in results["languages"].items()
           if r["recall"] >= TARGET_RECALL and r["false_escalation"] <= TARGET_FALSE_ESCALATION]
    print(f"Escalation benchmark done: targets met in {len(met)}/{len(SUPPORTED_LANGUAGES)} languages; "
          f"see bench/results/{name}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
