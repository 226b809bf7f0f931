"""What the gateway itself says to customers, in their language.

These are the gateway's own words for moments when the bot cannot speak (Rasa is down)
or when the conversation is waiting for a person; everything the bot says lives in
``domain.yml``.
"""

from __future__ import annotations

from typing import Dict, Optional

from bot.languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

NOTICES: Dict[str, Dict[str, str]] = {
    "bot_unavailable": {
        "en": "Sorry, I can't answer right now. Your message is saved and a person from our team will get back to you here.",
        "de": "Entschuldigung, ich kann gerade nicht antworten. Ihre Nachricht ist gespeichert, und jemand aus unserem Team meldet sich hier bei Ihnen.",
        "ru": "Извините, сейчас я не могу ответить. Ваше сообщение сохранено, и сотрудник нашей команды ответит Вам здесь.",
        "id": "Maaf, saya tidak dapat menjawab saat ini. Pesan Anda sudah tersimpan dan petugas dari tim kami akan menghubungi Anda di sini.",
    },
}

assert all(set(texts) == set(SUPPORTED_LANGUAGES) for texts in NOTICES.values())


def notice(name: str, language: Optional[str]) -> str:
    texts = NOTICES[name]
    return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE])
