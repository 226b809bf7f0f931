"""Suggested replies for an agent: what was answered before to messages like this one.

Candidates are the canned responses of the conversation's language and the replies
agents sent earlier in that language, each paired with the customer message it
answered. A candidate's score is the cosine similarity of character n-grams (robust to
inflection and typos in all four languages) between the customer's last message and
the candidate's text or, for past replies, the message it answered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

MIN_SCORE = 0.05
# What is about one customer in another customer's reply: long numbers (orders, cards,
# tracking, phones) and e-mail addresses.
_PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|[A-Za-z]?-?\d[\d -]{2,}\d")


def scrub(text: str) -> str:
    """A past reply with the previous customer's numbers and addresses blanked out."""
    return _PERSONAL.sub("…", text)


@dataclass(frozen=True)
class Candidate:
    text: str
    source: str  # "canned" or "past"
    context: str = ""  # what the customer had written (past replies) or the shortcut
    shortcut: Optional[str] = None


def rank(message: str, candidates: List[Candidate], limit: int = 3) -> List[Dict[str, object]]:
    """The best ``limit`` distinct candidates for ``message``, best first."""
    message = (message or "").strip()
    if not message or not candidates:
        return []
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, sublinear_tf=True)
    texts = [c.text for c in candidates]
    contexts = [c.context or c.text for c in candidates]
    matrix = vectorizer.fit_transform([message, *texts, *contexts])
    query, by_text, by_context = matrix[0], matrix[1:1 + len(candidates)], matrix[1 + len(candidates):]
    scores = [max(a, b) for a, b in zip(cosine_similarity(query, by_text)[0], cosine_similarity(query, by_context)[0])]
    ranked, seen = [], set()
    for score, candidate in sorted(zip(scores, candidates), key=lambda pair: -pair[0]):
        if score < MIN_SCORE or candidate.text in seen:
            continue
        seen.add(candidate.text)
        ranked.append({"text": candidate.text, "source": candidate.source, "shortcut": candidate.shortcut,
                       "score": round(float(score), 3)})
        if len(ranked) == limit:
            break
    return ranked
