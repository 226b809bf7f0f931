"""The languages the assistant speaks: the single source for codes and names."""

from typing import Dict, Tuple

SUPPORTED_LANGUAGES: Tuple[str, ...] = ("en", "de", "ru", "id")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES: Dict[str, str] = {
    "en": "English",
    "de": "German",
    "ru": "Russian",
    "id": "Indonesian",
}

# Where the NLU pipeline publishes its per-message guess (see LanguageDetector).
LANGUAGE_ATTRIBUTE = "language"
# The conversation's sticky language lives in this slot (see LanguageSlotPolicy).
LANGUAGE_SLOT = "language"
