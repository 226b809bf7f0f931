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
    "queue_place": {
        "en": "You are number {place} in the queue for our team. Your messages here reach the person who takes over.",
        "de": "Sie sind Nummer {place} in der Warteschlange für unser Team. Ihre Nachrichten hier erreichen die Person, die übernimmt.",
        "ru": "Вы {place}-й в очереди к нашей команде. Ваши сообщения здесь увидит сотрудник, который подключится.",
        "id": "Anda nomor {place} dalam antrean tim kami. Pesan Anda di sini akan dibaca oleh petugas yang mengambil alih.",
    },
    "queue_place_wait": {
        "en": "You are number {place} in the queue for our team; the expected wait is about {minutes} min. Your messages here reach the person who takes over.",
        "de": "Sie sind Nummer {place} in der Warteschlange für unser Team; die Wartezeit beträgt etwa {minutes} Min. Ihre Nachrichten hier erreichen die Person, die übernimmt.",
        "ru": "Вы {place}-й в очереди к нашей команде; ожидание около {minutes} мин. Ваши сообщения здесь увидит сотрудник, который подключится.",
        "id": "Anda nomor {place} dalam antrean tim kami; perkiraan waktu tunggu sekitar {minutes} menit. Pesan Anda di sini akan dibaca oleh petugas yang mengambil alih.",
    },
    "handed_back": {
        "en": "You are chatting with our virtual assistant again. Ask me anything, or ask for a person at any time.",
        "de": "Sie schreiben jetzt wieder mit unserem virtuellen Assistenten. Fragen Sie gern weiter oder jederzeit nach einer Person.",
        "ru": "Вы снова общаетесь с нашим виртуальным помощником. Задавайте вопросы или в любой момент попросите сотрудника.",
        "id": "Anda kembali mengobrol dengan asisten virtual kami. Silakan bertanya, atau minta petugas kapan saja.",
    },
    "csat_question": {
        "en": "Thank you for contacting us. How satisfied are you with the help you received? Please answer from 1 (not at all) to 5 (very).",
        "de": "Danke, dass Sie uns kontaktiert haben. Wie zufrieden sind Sie mit der Hilfe? Bitte antworten Sie mit 1 (gar nicht) bis 5 (sehr).",
        "ru": "Спасибо за обращение. Насколько Вы довольны полученной помощью? Ответьте, пожалуйста, от 1 (совсем нет) до 5 (очень).",
        "id": "Terima kasih telah menghubungi kami. Seberapa puas Anda dengan bantuan yang Anda terima? Mohon jawab dari 1 (tidak puas) sampai 5 (sangat puas).",
    },
    "csat_thanks": {
        "en": "Thank you for your rating!",
        "de": "Vielen Dank für Ihre Bewertung!",
        "ru": "Спасибо за Вашу оценку!",
        "id": "Terima kasih atas penilaian Anda!",
    },
}

assert all(set(texts) == set(SUPPORTED_LANGUAGES) for texts in NOTICES.values())


def notice(name: str, language: Optional[str], **values: object) -> str:
    texts = NOTICES[name]
    return texts.get(language or DEFAULT_LANGUAGE, texts[DEFAULT_LANGUAGE]).format(**values)
