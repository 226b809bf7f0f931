"""Conversation tests: `rasa test` runs every language's test stories on the model.

One `rasa test` run for all languages (the model loads once); a failure names each
story that went wrong, and its name ends with the language, e.g. "small talk (de)".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

from bot.languages import SUPPORTED_LANGUAGES
from bot.settings import ROOT

STORIES = ROOT / "tests" / "conversations"


def test_every_language_has_conversation_tests():
    for language in SUPPORTED_LANGUAGES:
        stories = YAML(typ="safe").load((STORIES / f"{language}.yml").read_text(encoding="utf-8"))
        assert len(stories["stories"]) >= 8, language


def test_conversation_stories(trained_model: Path, tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core",
         "--model", str(trained_model), "--stories", str(STORIES),
         "--out", str(tmp_path), "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    failed = YAML(typ="safe").load((tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")) or {}
    failed_names = [story["story"] for story in failed.get("stories") or []]
    assert failed_names == [], (
        f"conversation tests failed: {failed_names}; "
        f"see {tmp_path / 'failed_test_stories.yml'}"
    )
    report = json.loads((tmp_path / "story_report.json").read_text())
    total = len(list(STORIES.glob("*.yml")))
    assert report["conversation_accuracy"]["total"] >= 8 * total
    assert report["conversation_accuracy"]["accuracy"] == 1.0
