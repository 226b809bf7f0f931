"""The designer checks: pass on our data, and name file, line and fix for each gap."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.validate import main, validate


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "domain.yml", tmp_path / "domain.yml")
    return tmp_path


def test_repository_data_is_complete():
    assert validate(ROOT) == []


def test_reports_an_intent_with_too_few_examples(project_copy: Path):
    path = project_copy / "data" / "nlu" / "de.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- intent: deny")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("- intent:"))
    examples = [i for i in range(start, end) if lines[i].strip().startswith("- ") and i > start]
    kept = set(examples[:5])
    path.write_text("\n".join(l for i, l in enumerate(lines) if i not in examples or i in kept) + "\n",
                    encoding="utf-8")

    messages = [str(p) for p in validate(project_copy)]

    assert messages == [
        f"{path}:{start + 1}: Intent 'deny' has only 5 German examples; "
        "add 25 more (at least 30 are needed)."
    ]


def test_reports_a_response_without_a_translation(project_copy: Path):
    domain = project_copy / "domain.yml"
    text = domain.read_text(encoding="utf-8")
    russian_goodbye = text.split("  utter_goodbye:")[1].split("value: ru")[0]
    start = russian_goodbye.rindex("    - text:")
    cut = "  utter_goodbye:" + russian_goodbye[:start]
    text = text.replace("  utter_goodbye:" + russian_goodbye + "value: ru\n", cut)
    domain.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  utter_goodbye:") + 1

    messages = [str(p) for p in validate(project_copy)]

    assert messages == [
        f"{domain}:{line}: Response 'utter_goodbye' has no Russian variant; add one with "
        "a condition on slot 'language' = 'ru'."
    ]


def test_reports_an_example_under_two_intents(project_copy: Path, capsys):
    path = project_copy / "data" / "nlu" / "id.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "- intent: thankyou\n  metadata:\n    language: id\n  examples: |\n    - Sampai Jumpa LAGI!!\n",
                    encoding="utf-8")

    assert main(["--root", str(project_copy)]) == 1
    output = capsys.readouterr().out
    assert "The example 'Sampai Jumpa LAGI!!' is under intent 'thankyou' here but under 'goodbye'" in output
    assert "keep it under one intent only." in output
    assert output.strip().endswith("1 problem(s) found in the training data and domain.")
