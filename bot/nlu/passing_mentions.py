"""Training examples for situations mentioned only in passing.

Customers rarely open with their situation: "had a heart attack last week, can you
extend the return deadline" is a request about a jacket that happens to mention a heart
attack. Trained on whole examples only, an n-gram model learns that the request words
mean "ordinary" and the few sensitive words drown in them. So each sensitive example is
also joined to a few ordinary requests in its own language, in either order, and keeps
its topic; each hard negative is joined the same way and stays ordinary, so that the
model learns the sensitive words themselves, not "long messages are sensitive".
"""

from __future__ import annotations

import random
from typing import Dict, List, Sequence, Tuple


def join(first: str, second: str) -> str:
    """Two messages as one, with a sentence break between them."""
    first = first.strip()
    if first and first[-1] not in ".!?…":
        first += "."
    return f"{first} {second.strip()}"


def compose_passing_mentions(
    examples: Dict[str, Tuple[Sequence[str], Sequence[str]]],
    requests: Dict[str, Sequence[str]],
    per_example: int,
    seed: int = 0,
) -> Tuple[List[str], List[str]]:
    """(texts, labels): every example of ``examples[language]`` joined to
    ``per_example`` random ``requests[language]``, before or after it, keeping its label.

    Deterministic for one ``seed``, so the same data always trains the same model.
    Languages without requests get nothing."""
    generator = random.Random(seed)
    texts: List[str] = []
    labels: List[str] = []
    for language in sorted(examples):
        partners = list(requests.get(language) or [])
        if not partners:
            continue
        for text, label in zip(*examples[language]):
            for _ in range(per_example):
                request = generator.choice(partners)
                texts.append(join(text, request) if generator.random() < 0.5 else join(request, text))
                labels.append(label)
    return texts, labels
