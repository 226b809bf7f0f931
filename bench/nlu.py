"""NLU benchmark: our pipeline against the one `rasa init` gives, per language.

Both pipelines are trained in the same run on the same data (``data/nlu/``) and scored on
the held-out sentences of ``tests/data/nlu_test/<lang>.yml``: intent accuracy and
macro-F1 per language, and training time. Writes ``bench/results/nlu.json`` and
``bench/results/nlu.md``.

``--only ours`` re-runs one pipeline and keeps the other's runs from ``nlu.json`` when
they were made on the same ``data/nlu/`` with the same seeds (rasa_init's three seeds
take three quarters of an hour, and it does not change when our pipeline does).

Usage: ``python -m bench.nlu [--only ours|rasa_init] [--seeds 1,2,3]``
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import rasa.engine.recipes
from rasa.shared.utils.io import read_yaml_file, write_yaml
from rasa.utils.log_utils import configure_structlog

from bot.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from bot.nlu_eval import evaluate_model, train_nlu_model
from bot.train import fingerprint

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
METRICS = ("accuracy", "macro_f1", "fallback_rate")


def rasa_init_config() -> Dict:
    """The configuration `rasa init` produces: its commented-out pipeline means Rasa
    fills in ``rasa/engine/recipes/config_files/default_config.yml``, which we use as is."""
    default = Path(rasa.engine.recipes.__file__).parent / "config_files" / "default_config.yml"
    config = read_yaml_file(default)
    config.update({"recipe": "default.v1", "language": "en", "assistant_id": "rasa-init"})
    return config


def with_seed(config: Dict, seed: int, path: Path) -> Path:
    """A copy of ``config`` whose DIETClassifier uses ``seed``: DIET's random
    initialisation is the main source of run-to-run spread, so each pipeline is trained
    with the same list of seeds and compared on the mean."""
    seeded = copy.deepcopy(config)
    for component in seeded["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["random_seed"] = seed
    write_yaml(seeded, path)
    return path


def run_once(name: str, config: Path, seed: int, workdir: Path) -> Dict:
    print(f"[{name} seed {seed}] training on data/nlu/ ...", flush=True)
    started = time.perf_counter()
    model = train_nlu_model(config, ROOT / "data" / "nlu", workdir / f"{name}-{seed}")
    train_seconds = time.perf_counter() - started
    scores = asyncio.run(evaluate_model(model, ROOT / "tests" / "data" / "nlu_test"))
    print(
        f"[{name} seed {seed}] trained in {train_seconds:.0f} s; macro-F1 "
        + ", ".join(f"{language} {result['macro_f1']:.3f}" for language, result in scores.items()),
        flush=True,
    )
    return {"seed": seed, "train_seconds": round(train_seconds, 1), "languages": scores}


def summarise(runs: List[Dict]) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Mean, min and max over seeds of each metric, per language."""
    summary: Dict[str, Dict[str, Dict[str, float]]] = {}
    for language in runs[0]["languages"]:
        summary[language] = {"n": runs[0]["languages"][language]["n"]}
        for metric in METRICS:
            values = [run["languages"][language][metric] for run in runs]
            summary[language][metric] = {
                "mean": round(statistics.fmean(values), 4),
                "min": min(values),
                "max": max(values),
            }
    return summary


def _spread(stats: Dict[str, float]) -> str:
    return f"{stats['mean']:.3f} ({stats['min']:.3f}–{stats['max']:.3f})"


def fallback_threshold(config: Dict) -> Optional[float]:
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return component.get("threshold")
    return None


def fallback_thresholds(results: Dict) -> str:
    return ", ".join(f"{name} {r.get('fallback_threshold', '?')}" for name, r in results["pipelines"].items())


def markdown_table(results: Dict) -> str:
    pipelines = list(results["pipelines"])
    seeds = ", ".join(str(seed) for seed in results["seeds"])
    lines = [
        "# NLU benchmark",
        "",
        f"Trained on `data/nlu/`, scored on `tests/data/nlu_test/` (held out). Each pipeline "
        f"was trained from scratch once per DIET seed ({seeds}); cells show the mean over "
        f"seeds and, in brackets, the lowest and highest run. "
        f"Run {results['date']} on {results['machine']}.",
        "",
        "| language | sentences | "
        + " | ".join(f"{p} accuracy | {p} macro-F1" for p in pipelines)
        + (" | macro-F1 lead of ours |" if {"ours", "rasa_init"} <= set(pipelines) else " |"),
        "|---|---|" + "---|---|" * len(pipelines)
        + ("---|" if {"ours", "rasa_init"} <= set(pipelines) else ""),
    ]
    for language in SUPPORTED_LANGUAGES:
        summaries = [results["pipelines"][p]["summary"].get(language) for p in pipelines]
        if not all(summaries):
            continue
        cells = []
        for stats in summaries:
            cells += [_spread(stats["accuracy"]), _spread(stats["macro_f1"])]
        if {"ours", "rasa_init"} <= set(pipelines):
            lead = (
                results["pipelines"]["ours"]["summary"][language]["macro_f1"]["mean"]
                - results["pipelines"]["rasa_init"]["summary"][language]["macro_f1"]["mean"]
            )
            cells.append(f"{lead:+.3f}")
        lines.append(f"| {LANGUAGE_NAMES[language]} | {summaries[0]['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Mean training time per run: "
        + ", ".join(
            f"{p} {statistics.fmean(r['train_seconds'] for r in results['pipelines'][p]['runs']):.0f} s"
            for p in pipelines
        )
        + ". Share of sentences the pipeline's FallbackClassifier turned into `nlu_fallback` "
        "(mean): "
        + "; ".join(
            f"{p} "
            + ", ".join(
                f"{language} {stats['fallback_rate']['mean']:.3f}"
                for language, stats in results["pipelines"][p]["summary"].items()
            )
            for p in pipelines
        )
        + ".",
        "",
        "`ours` is `config.yml` (language detector, per-language lemmas, DIET blended with an "
        "n-gram logistic regression); "
        "`rasa_init` is the pipeline Rasa fills in for the config `rasa init` writes. "
        "Accuracy and macro-F1 score the classifier's top intent; fallback thresholds "
        f"differ ({fallback_thresholds(results)}), so they are reported apart. Per-seed numbers are "
        "in `nlu.json`.",
    ]
    return "\n".join(lines) + "\n"


def kept_runs(data_fingerprint: str, seeds: List[int], names: List[str]) -> Dict[str, Dict]:
    """The earlier runs of ``names`` from ``nlu.json``, if they are comparable."""
    if not names:
        return {}
    path = RESULTS / "nlu.json"
    earlier = json.loads(path.read_text()) if path.exists() else {}
    if earlier.get("data_fingerprint") != data_fingerprint or earlier.get("seeds") != seeds:
        raise SystemExit(f"bench/results/nlu.json has no runs of {', '.join(names)} on this data/nlu/ "
                         f"with seeds {seeds}; run without --only to train both pipelines.")
    missing = [name for name in names if name not in earlier.get("pipelines", {})]
    if missing:
        raise SystemExit(f"bench/results/nlu.json has no runs of {', '.join(missing)}; run without --only.")
    print(f"Keeping the runs of {', '.join(names)} from bench/results/nlu.json (same data/nlu/, same seeds).")
    return {name: earlier["pipelines"][name] for name in names}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="NLU benchmark, ours vs rasa init.")
    parser.add_argument("--only", choices=["ours", "rasa_init"])
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated DIET seeds (default 1,2,3)")
    args = parser.parse_args(argv)
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    RESULTS.mkdir(parents=True, exist_ok=True)
    configure_structlog(logging.WARNING)  # no per-message debug lines
    configs = {
        "ours": read_yaml_file(ROOT / "config.yml"),
        "rasa_init": rasa_init_config(),
    }
    selected: List[str] = [args.only] if args.only else list(configs)
    data_fingerprint = fingerprint(["data/nlu"])
    pipelines: Dict[str, Dict] = kept_runs(data_fingerprint, seeds, [n for n in configs if n not in selected])
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name in selected:
            runs = [
                run_once(name, with_seed(configs[name], seed, workdir / f"{name}-{seed}.yml"), seed, workdir)
                for seed in seeds
            ]
            pipelines[name] = {"runs": runs, "summary": summarise(runs),
                               "fallback_threshold": fallback_threshold(configs[name])}
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "seeds": seeds,
        "data_fingerprint": data_fingerprint,
        "pipelines": {name: pipelines[name] for name in configs if name in pipelines},
    }
    (RESULTS / "nlu.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "nlu.md").write_text(markdown_table(results))
    summary = "; ".join(
        f"{name}: mean macro-F1 "
        f"{statistics.fmean(s['macro_f1']['mean'] for s in r['summary'].values()):.3f}"
        for name, r in pipelines.items()
    )
    print(f"NLU benchmark done over {len(seeds)} seeds ({summary}); see bench/results/nlu.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
