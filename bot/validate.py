"""Conversation-designer checks: is every language as complete as the others?

``rasa data validate`` checks that the data is consistent with the domain; it cannot
know that a German designer forgot ``deny`` or that a new response has no Indonesian
text. This module reports such gaps in plain sentences, each with the file and line to
open, and exits non-zero so CI stops the change.

Usage: ``python -m bot.validate [--min-examples 30] [--root .]``
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML

from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES

DEFAULT_MIN_EXAMPLES = 30
_ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
_NOT_WORD = re.compile(r"[^\w#]+")


@dataclass(frozen=True)
class Problem:
    """One finding, already phrased for a designer."""

    path: Path
    line: int
    sentence: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.sentence}"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    path: Path
    line: int


def _load_yaml(path: Path):
    return YAML(typ="rt").load(path.read_text(encoding="utf-8"))


def normalise(text: str) -> str:
    """Example text without entity markup, case and punctuation: what a duplicate is."""
    plain = _ENTITY_MARKUP.sub(r"\1", text)
    return _NOT_WORD.sub(" ", plain.lower()).strip()


def read_examples(path: Path) -> Tuple[List[Example], Dict[str, int]]:
    """All intent examples of one NLU file, and the line where each intent starts."""
    document = _load_yaml(path) or {}
    examples: List[Example] = []
    intent_lines: Dict[str, int] = {}
    for block in document.get("nlu") or []:
        intent = block.get("intent")
        if not intent:
            continue
        intent_lines.setdefault(intent, block.lc.line + 1)
        raw = block.get("examples") or ""
        # A literal block starts on the line after the `examples: |` key.
        first_line = block.lc.value("examples")[0] + 2
        for offset, line in enumerate(str(raw).splitlines()):
            stripped = line.strip()
            if stripped.startswith("- "):
                examples.append(Example(stripped[2:].strip(), intent, path, first_line + offset))
    return examples, intent_lines


def check_example_counts(
    root: Path, intents: Sequence[str], min_examples: int
) -> Iterator[Problem]:
    for language in SUPPORTED_LANGUAGES:
        path = root / "data" / "nlu" / f"{language}.yml"
        name = LANGUAGE_NAMES[language]
        if not path.exists():
            yield Problem(path, 1, f"There is no {name} training data file.")
            continue
        examples, intent_lines = read_examples(path)
        counts: Dict[str, int] = {}
        for example in examples:
            counts[example.intent] = counts.get(example.intent, 0) + 1
        for intent in intents:
            count = counts.get(intent, 0)
            if count == 0:
                yield Problem(
                    path, 1, f"Intent '{intent}' has no {name} examples; add at least {min_examples}."
                )
            elif count < min_examples:
                yield Problem(
                    path,
                    intent_lines[intent],
                    f"Intent '{intent}' has only {count} {name} examples; "
                    f"add {min_examples - count} more (at least {min_examples} are needed).",
                )


def check_duplicates(paths: Iterable[Path]) -> Iterator[Problem]:
    """Every example text that appears under two different intents, in any file."""
    first_seen: Dict[str, Example] = {}
    for path in paths:
        examples, _ = read_examples(path)
        for example in examples:
            key = normalise(example.text)
            earlier = first_seen.setdefault(key, example)
            if earlier.intent != example.intent:
                yield Problem(
                    example.path,
                    example.line,
                    f"The example '{example.text}' is under intent '{example.intent}' "
                    f"here but under '{earlier.intent}' at {earlier.path}:{earlier.line}; "
                    "keep it under one intent only.",
                )


def _variant_language(variant) -> Optional[str]:
    for condition in variant.get("condition") or []:
        if condition.get("type") == "slot" and condition.get("name") == "language":
            return condition.get("value")
    return None


def check_response_translations(domain_path: Path) -> Iterator[Problem]:
    domain = _load_yaml(domain_path) or {}
    responses = domain.get("responses") or {}
    for name, variants in responses.items():
        languages = set()
        for variant in variants or []:
            languages.add(_variant_language(variant) or DEFAULT_LANGUAGE)
        for language in SUPPORTED_LANGUAGES:
            if language not in languages:
                yield Problem(
                    domain_path,
                    responses.lc.key(name)[0] + 1,
                    f"Response '{name}' has no {LANGUAGE_NAMES[language]} variant; add one "
                    f"with a condition on slot 'language' = '{language}'.",
                )


def validate(root: Path, min_examples: int = DEFAULT_MIN_EXAMPLES) -> List[Problem]:
    domain_path = root / "domain.yml"
    domain = _load_yaml(domain_path) or {}
    intents = [str(intent) if not isinstance(intent, dict) else next(iter(intent))
               for intent in domain.get("intents") or []]
    nlu_files = [root / "data" / "nlu" / f"{language}.yml" for language in SUPPORTED_LANGUAGES]
    problems = list(check_example_counts(root, intents, min_examples))
    problems += check_duplicates(path for path in nlu_files if path.exists())
    problems += check_response_translations(domain_path)
    return problems


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--min-examples", type=int, default=DEFAULT_MIN_EXAMPLES)
    args = parser.parse_args(argv)
    problems = validate(args.root, args.min_examples)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in the training data and domain.")
        return 1
    print(
        f"Training data and domain are complete in {len(SUPPORTED_LANGUAGES)} languages "
        f"(at least {args.min_examples} examples per intent, every response translated)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
