"""NLU benchmark: our pipeline against the one `rasa init` gives, per language.

Both pipelines are trained in the same run on the same data (``data/nlu/``) and scored on
the held-out sentences of ``tests/data/nlu_test/<lang>.yml``: intent accuracy and
macro-F1 per language, and training time. Writes ``bench/results/nlu.json`` and
``bench/results/nlu.md``.

Usage: ``python -m bench.nlu [--only ours|rasa_init]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import platform
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def rasa_init_config(directory: Path) -> Path:
    """The configuration `rasa init` produces: its commented-out pipeline means Rasa
    fills in ``rasa/engine/recipes/config_files/default_config.yml``, which we write out as is."""
    default = Path(rasa.engine.recipes.__file__).parent / "config_files" / "default_config.yml"
    config = read_yaml_file(default)
    config.update({"recipe": "default.v1", "language": "en", "assistant_id": "rasa-init"})
    path = directory / "rasa_init_config.yml"
    write_yaml(config, path)
    return path


def run_pipeline(name: str, config: Path, workdir: Path) -> Dict:
    print(f"[{name}] training on data/nlu/ ...", flush=True)
    started = time.perf_counter()
    model = train_nlu_model(config, ROOT / "data" / "nlu", workdir / name)
    train_seconds = time.perf_counter() - started
    print(f"[{name}] trained in {train_seconds:.0f} s; evaluating ...", flush=True)
    scores = asyncio.run(evaluate_model(model, ROOT / "tests" / "data" / "nlu_test"))
    for language, result in scores.items():
        print(
            f"[{name}] {language}: accuracy {result['accuracy']:.3f}, "
            f"macro-F1 {result['macro_f1']:.3f}, fallback {result['fallback_rate']:.3f} "
            f"on {result['n']} sentences",
            flush=True,
        )
    return {"train_seconds": round(train_seconds, 1), "languages": scores}


def markdown_table(results: Dict) -> str:
    pipelines = list(results["pipelines"])
    lines = [
        "# NLU benchmark",
        "",
        f"Trained on `data/nlu/`, scored on `tests/data/nlu_test/` (held out). "
        f"Run {results['date']} on {results['machine']}.",
        "",
        "| language | sentences | "
        + " | ".join(f"{p} accuracy | {p} macro-F1 | {p} fallback" for p in pipelines)
        + " |",
        "|---|---|" + "---|---|---|" * len(pipelines),
    ]
    for language in SUPPORTED_LANGUAGES:
        cells = []
        n = None
        for pipeline in pipelines:
            scores = results["pipelines"][pipeline]["languages"].get(language)
            if scores:
                n = scores["n"]
                cells += [f"{scores['accuracy']:.3f}", f"{scores['macro_f1']:.3f}",
                          f"{scores['fallback_rate']:.3f}"]
            else:
                cells += ["-", "-", "-"]
        lines.append(f"| {LANGUAGE_NAMES[language]} | {n} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "Training time: "
        + ", ".join(
            f"{p} {results['pipelines'][p]['train_seconds']:.0f} s" for p in pipelines
        )
        + "."
    )
    lines.append("")
    lines.append(
        "`ours` is `config.yml` (language detector, per-language lemmas, DIET); "
        "`rasa_init` is the pipeline Rasa fills in for the config `rasa init` writes. "
        "Accuracy and macro-F1 score the classifier's top intent; *fallback* is the share "
        "of sentences the pipeline's FallbackClassifier turned into `nlu_fallback` "
        "(thresholds: ours 0.5, rasa_init 0.3)."
    )
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="NLU benchmark, ours vs rasa init.")
    parser.add_argument("--only", choices=["ours", "rasa_init"])
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    configure_structlog(logging.WARNING)  # no per-message debug lines
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        configs = {"ours": ROOT / "config.yml", "rasa_init": rasa_init_config(workdir)}
        selected: List[str] = [args.only] if args.only else list(configs)
        results = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "pipelines": {name: run_pipeline(name, configs[name], workdir) for name in selected},
        }
    (RESULTS / "nlu.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "nlu.md").write_text(markdown_table(results))
    summary = "; ".join(
        f"{name}: mean macro-F1 "
        f"{sum(s['macro_f1'] for s in r['languages'].values()) / len(r['languages']):.3f}"
        for name, r in results["pipelines"].items()
    )
    print(f"NLU benchmark done ({summary}); see bench/results/nlu.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
