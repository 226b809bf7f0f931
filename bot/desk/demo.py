"""Demo agents and canned responses for ``make run``, so a newcomer can play agent.

Passwords are made up on the first run and kept in ``var/demo-agents.json`` (not in the
repository), per database; later runs print the same logins again, and make up new
ones if an agent's password was changed or the file was lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Dict, List

from sqlalchemy import select

from bot.desk.storage import DeskStore
from bot.desk.passwords import verify_password
from bot.desk.team import Agent, canned_responses, new_agent, save_canned

DEMO_AGENTS = [
    {"username": "anna", "display_name": "Anna", "skills": ["care", "billing"], "languages": ["de", "en"],
     "capacity": 3, "supervisor": False},
    {"username": "max", "display_name": "Max", "skills": ["billing", "orders", "technical", "care"],
     "languages": ["en", "ru", "id"], "capacity": 4, "supervisor": True},
]

DEMO_CANNED: Dict[str, Dict[str, str]] = {
    "condolences": {
        "en": "I am so sorry for your loss. I will take care of this with you, step by step, and there is no rush.",
        "de": "Es tut mir sehr leid, Ihren Verlust zu hören. Ich kümmere mich gemeinsam mit Ihnen darum, Schritt für Schritt und ohne Eile.",
        "ru": "Примите мои искренние соболезнования. Я помогу Вам во всём, шаг за шагом, без спешки.",
        "id": "Saya turut berduka atas kehilangan Anda. Saya akan membantu Anda langkah demi langkah, tidak perlu terburu-buru.",
    },
    "hello": {
        "en": "Hello, my name is {name}. I have read your conversation and I am here to help.",
        "de": "Guten Tag, mein Name ist {name}. Ich habe Ihr Gespräch gelesen und helfe Ihnen gern weiter.",
        "ru": "Здравствуйте, меня зовут {name}. Я прочитал(а) Вашу переписку и готов(а) помочь.",
        "id": "Halo, nama saya {name}. Saya sudah membaca percakapan Anda dan siap membantu.",
    },
    "card-blocked": {
        "en": "I have blocked your card to be safe. A new card will reach you within 5 working days.",
        "de": "Ich habe Ihre Karte zur Sicherheit gesperrt. Eine neue Karte erhalten Sie innerhalb von 5 Werktagen.",
        "ru": "Я заблокировал(а) Вашу карту для безопасности. Новая карта придёт в течение 5 рабочих дней.",
        "id": "Kartu Anda sudah saya blokir demi keamanan. Kartu baru akan sampai dalam 5 hari kerja.",
    },
    "bye": {
        "en": "Is there anything else I can do for you? Otherwise I wish you a good day.",
        "de": "Kann ich sonst noch etwas für Sie tun? Ansonsten wünsche ich Ihnen einen schönen Tag.",
        "ru": "Могу ли я ещё чем-то помочь? Если нет, желаю Вам хорошего дня.",
        "id": "Apakah ada lagi yang bisa saya bantu? Jika tidak, semoga hari Anda menyenangkan.",
    },
}


def ensure_demo(store: DeskStore, secrets_file: Path) -> List[Dict[str, str]]:
    """The demo agents' logins; creates the agents (and the canned responses, when there
    are none) on first use or when the passwords file was lost."""
    every_database: Dict[str, Dict[str, str]] = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    database = hashlib.sha256(store.url.encode()).hexdigest()[:16]
    known = every_database.setdefault(database, {})

    def work(session) -> None:
        for agent in DEMO_AGENTS:
            row = session.execute(select(Agent).where(Agent.username == agent["username"])).scalar_one_or_none()
            if row is not None and verify_password(known.get(agent["username"], ""), row.password_hash):
                continue
            known[agent["username"]] = secrets.token_urlsafe(9)
            new_agent(session, agent["username"], agent["display_name"], known[agent["username"]],
                      agent["skills"], agent["languages"], agent["capacity"], agent["supervisor"])
        if not canned_responses(session):
            for shortcut, texts in DEMO_CANNED.items():
                for language, text in texts.items():
                    save_canned(session, language, shortcut, text)

    store.run_sync(work)
    secrets_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others
    with os.fdopen(descriptor, "w") as handle:
        handle.write(json.dumps(every_database, indent=2))
    return [{"username": a["username"], "password": known[a["username"]],
             "about": f"{', '.join(a['skills'])}; {', '.join(a['languages'])}"
                      + ("; supervisor" if a["supervisor"] else "")} for a in DEMO_AGENTS]
