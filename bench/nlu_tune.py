"""Tunes the NLU pipeline on a validation split of the TRAINING data only.

Each language's training examples (``data/nlu/<lang>.yml``) are split per intent into
train (80 %) and valid (20 %) with a fixed random seed; candidate pipelines (variants of
``config.yml``) and the ``rasa init`` pipeline are trained on the train part and scored
on the valid part with the same code as the benchmark (``bot.nlu_eval``). The held-out
test sentences (``tests/data/nlu_test/``) are never read here.

Results are merged into ``bench/results/nlu_tune.json`` (so candidates can be run a few
at a time) while ``data/nlu/`` stays the same; a changed ``data/nlu/`` makes a new split,
so the earlier rows move to a second table. The table is rewritten to ``bench/results/nlu_tune.md``.

Usage: ``python -m bench.nlu_tune [--candidates baseline,ru_no_lemma] [--seeds 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

from rasa.shared.utils.io import read_yaml_file, write_yaml
from rasa.utils.log_utils import configure_structlog
from ruamel.yaml import YAML

from bench.nlu import rasa_init_config, with_seed
from bot.languages import SUPPORTED_LANGUAGES
from bot.nlu_eval import evaluate_model, train_nlu_model
from bot.train import fingerprint

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SPLIT_SEED = 20261126
VALID_SHARE = 0.2


def split_training_data(train_dir: Path, valid_dir: Path) -> Dict[str, Dict[str, int]]:
    """Writes ``<lang>.yml`` train and valid files; the intent blocks keep their
    metadata (the language detector trains on the declared language)."""
    train_dir.mkdir(parents=True, exist_ok=True)
    valid_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SPLIT_SEED)
    sizes = {}
    for language in SUPPORTED_LANGUAGES:
        document = YAML(typ="safe").load((ROOT / "data" / "nlu" / f"{language}.yml").read_text("utf-8"))
        train_blocks, valid_blocks = [], []
        for block in document["nlu"]:
            lines = [line.strip() for line in block["examples"].splitlines() if line.strip()]
            order = list(range(len(lines)))
            rng.shuffle(order)
            held = set(order[: max(1, round(VALID_SHARE * len(lines)))])
            for blocks, keep in ((train_blocks, lambda i: i not in held), (valid_blocks, lambda i: i in held)):
                part = {key: value for key, value in block.items() if key != "examples"}
                part["examples"] = "".join(f"{lines[i]}\n" for i in range(len(lines)) if keep(i))
                blocks.append(part)
        for directory, blocks in ((train_dir, train_blocks), (valid_dir, valid_blocks)):
            write_yaml({"version": document.get("version", "3.1"), "nlu": blocks}, directory / f"{language}.yml")
        sizes[language] = {
            "train": sum(b["examples"].count("\n") for b in train_blocks),
            "valid": sum(b["examples"].count("\n") for b in valid_blocks),
        }
    return sizes


def _component(config: Dict, name: str, **match) -> Dict:
    for component in config["pipeline"]:
        if component["name"] == name and all(component.get(k) == v for k, v in match.items()):
            return component
    raise KeyError(name)


def _set(name: str, match: Optional[Dict] = None, **values) -> Callable[[Dict], None]:
    def apply(config: Dict) -> None:
        _component(config, name, **(match or {})).update(values)
    return apply


def _drop(name: str) -> Callable[[Dict], None]:
    def apply(config: Dict) -> None:
        config["pipeline"] = [c for c in config["pipeline"] if c["name"] != name]
    return apply


TOKENIZER = "bot.nlu.lemma_tokenizer.LemmaTokenizer"
CHARS = {"analyzer": "char_wb"}
# Candidate name -> changes to config.yml.
CANDIDATES: Dict[str, List[Callable[[Dict], None]]] = {
    "baseline": [],
    "ru_no_lemma": [_set(TOKENIZER, lemmatize_languages=["de", "id"])],
    "lowercase_lookup": [_set(TOKENIZER, lowercase_lookup=True)],
    "char_1_5": [_set("CountVectorsFeaturizer", CHARS, min_ngram=1)],
    "epochs_100": [_set("DIETClassifier", epochs=100)],
    "epochs_40": [_set("DIETClassifier", epochs=40)],
    "no_lexsyn": [_drop("LexicalSyntacticFeaturizer")],
    "lowercase_lookup+char_1_5": [
        _set(TOKENIZER, lowercase_lookup=True), _set("CountVectorsFeaturizer", CHARS, min_ngram=1),
    ],
    "lowercase_lookup+epochs_100": [
        _set(TOKENIZER, lowercase_lookup=True), _set("DIETClassifier", epochs=100),
    ],
    "char_1_5+epochs_40": [
        _set("CountVectorsFeaturizer", CHARS, min_ngram=1), _set("DIETClassifier", epochs=40),
    ],
    "lowercase_lookup+char_1_5+epochs_40": [
        _set(TOKENIZER, lowercase_lookup=True), _set("CountVectorsFeaturizer", CHARS, min_ngram=1),
        _set("DIETClassifier", epochs=40),
    ],
    "ru_no_lemma+char_1_5": [
        _set(TOKENIZER, lemmatize_languages=["de", "id"]), _set("CountVectorsFeaturizer", CHARS, min_ngram=1),
    ],
}
BLENDER = "bot.nlu.intent_blender.NgramIntentBlender"
CANDIDATES["diet_only"] = [_drop(BLENDER)]
for _weight in (0.15, 0.2, 0.25, 0.3, 0.5, 0.7):
    CANDIDATES[f"blend_diet_{_weight}"] = [_set(BLENDER, diet_weight=_weight, calibrate=False)]
    CANDIDATES[f"calibrated_blend_diet_{_weight}"] = [_set(BLENDER, diet_weight=_weight, calibrate=True)]
REFERENCE = "rasa_init"


def candidate_config(name: str) -> Dict:
    if name == REFERENCE:
        return rasa_init_config()
    config = copy.deepcopy(read_yaml_file(ROOT / "config.yml"))
    for change in CANDIDATES[name]:
        change(config)
    return config


def _table(candidates: Dict) -> List[str]:
    lines = [
        "| candidate | seeds | " + " | ".join(SUPPORTED_LANGUAGES) + " | mean | train s |",
        "|---|---|" + "---|" * len(SUPPORTED_LANGUAGES) + "---|---|",
    ]
    for name, entry in candidates.items():
        runs = entry["runs"]
        means = {
            language: statistics.fmean(run["languages"][language]["macro_f1"] for run in runs)
            for language in SUPPORTED_LANGUAGES
        }
        lines.append(
            f"| {name} | {','.join(str(run['seed']) for run in runs)} | "
            + " | ".join(f"{means[language]:.3f}" for language in SUPPORTED_LANGUAGES)
            + f" | {statistics.fmean(means.values()):.3f}"
            + f" | {statistics.fmean(run['train_seconds'] for run in runs):.0f} |"
        )
    return lines


def markdown_table(results: Dict) -> str:
    lines = [
        "# NLU tuning on a validation split of the training data",
        "",
        f"`data/nlu/<lang>.yml` split per intent, {int(VALID_SHARE * 100)} % held out for validation "
        f"(split seed {SPLIT_SEED}); sizes {results['sizes']}. The held-out test sentences of "
        "`tests/data/nlu_test/` are not used. Cells: intent macro-F1 on the validation part, mean "
        "over the DIET seeds run (seeds in brackets); candidates are changes to `config.yml` "
        "(each run's full pipeline is in `nlu_tune.json`).",
        "",
        *_table(results["candidates"]),
    ]
    earlier = results.get("earlier")
    if earlier:
        lines += [
            "", "## Earlier rounds, on an earlier `data/nlu/`",
            "", f"Sizes {earlier.get('sizes')}; `baseline` was `config.yml` of that time.", "",
            *_table(earlier["candidates"]),
        ]
    return "\n".join(lines) + "\n"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Tune the NLU pipeline on a validation split.")
    parser.add_argument("--candidates", default="baseline," + REFERENCE)
    parser.add_argument("--seeds", default="1")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.candidates.split(",") if name.strip()]
    unknown = [name for name in names if name != REFERENCE and name not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}; known: {[REFERENCE, *CANDIDATES]}")
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]
    configure_structlog(logging.WARNING)
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / "nlu_tune.json"
    data_fingerprint = fingerprint(["data/nlu"])
    results = json.loads(json_path.read_text()) if json_path.exists() else {}
    if results.get("data_fingerprint") != data_fingerprint:
        earlier = {key: results[key] for key in ("data_fingerprint", "sizes", "candidates") if key in results}
        results = {"data_fingerprint": data_fingerprint, "candidates": {}, "earlier": earlier or None}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results["sizes"] = split_training_data(workdir / "train", workdir / "valid")
        results["split_seed"] = SPLIT_SEED
        for name in names:
            for seed in seeds:
                config = with_seed(candidate_config(name), seed, workdir / f"{name}-{seed}.yml")
                print(f"[{name} seed {seed}] training ...", flush=True)
                started = time.perf_counter()
                model = train_nlu_model(config, workdir / "train", workdir / f"{name}-{seed}")
                seconds = time.perf_counter() - started
                scores = asyncio.run(evaluate_model(model, workdir / "valid"))
                print(
                    f"[{name} seed {seed}] {seconds:.0f} s; valid macro-F1 "
                    + ", ".join(f"{lang} {s['macro_f1']:.3f}" for lang, s in scores.items()),
                    flush=True,
                )
                entry = results["candidates"].setdefault(name, {"runs": []})
                entry["config"] = read_yaml_file(config)["pipeline"]
                entry["runs"] = [run for run in entry["runs"] if run["seed"] != seed] + [
                    {"seed": seed, "train_seconds": round(seconds, 1), "languages": scores}
                ]
                entry["runs"].sort(key=lambda run: run["seed"])
                json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
                (RESULTS / "nlu_tune.md").write_text(markdown_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
