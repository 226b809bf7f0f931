"""The console's pieces on their own: passwords, suggestions, queue order and visibility,
expected waits, CSAT answers, and the command that creates agents."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.desk import agents as agents_command
from bot.desk.conversations import csat_score
from bot.desk.passwords import hash_password, verify_password
from bot.desk.queue import Team, expected_wait_minutes, order_key, place_in_queue
from bot.desk.storage import Conversation, ConversationView, DeskStore
from bot.desk.suggestions import Candidate, rank
from bot.desk.team import AgentView, all_agents

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)


def queued(id_: int, skill: str, language: str, priority: str, minutes_ago: int, agent_id=None) -> ConversationView:
    return ConversationView(id_, f"c{id_}", "web", f"e{id_}", "queued", language, ["requested"], skill, priority,
                            None, None, NOW, NOW - timedelta(minutes=minutes_ago), agent_id)


def agent(id_: int, skills, languages, status="available", capacity=2, supervisor=False) -> AgentView:
    return AgentView(id_, f"a{id_}", f"A{id_}", list(skills), list(languages), capacity, status, supervisor)


def test_passwords_are_salted_and_checked():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first != second and "correct" not in first
    assert verify_password("correct horse battery", first)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("anything", "not-a-hash")


def test_queue_order_is_priority_then_waiting_time():
    conversations = [queued(1, "care", "de", "normal", 30), queued(2, "care", "de", "high", 1),
                     queued(3, "care", "de", "normal", 50)]
    assert [c.id for c in sorted(conversations, key=order_key)] == [2, 3, 1]
    assert place_in_queue(conversations[0], conversations) == 3
    assert place_in_queue(queued(4, "billing", "de", "normal", 0), conversations) == 1  # other skill


def test_visibility_follows_skills_languages_availability_and_capacity():
    german_care = queued(1, "care", "de", "high", 5)
    carla, bill = agent(1, ["care"], ["de"]), agent(2, ["billing"], ["en"])
    boss = agent(3, ["technical"], ["id"], status="away", supervisor=True)
    team = Team([carla, bill, boss], {})
    assert team.may_see(carla, german_care) and team.may_see(boss, german_care)
    assert not team.may_see(bill, german_care)
    for busy in (Team([carla, bill, boss], {1: 2}),  # Carla is full
                 Team([agent(1, ["care"], ["de"], status="away"), bill, boss], {})):  # or away
        assert busy.may_see(bill, german_care)  # nobody can take it: everyone sees it
    owned = ConversationView(**{**german_care.__dict__, "state": "agent", "agent_id": 1})
    assert team.may_see(carla, owned) and not team.may_see(agent(4, ["care"], ["de"]), owned)


def test_suggestions_rank_by_similarity_in_any_language():
    candidates = [Candidate("Ваша посылка в пути.", "canned", "dostavka", "dostavka"),
                  Candidate("Примите соболезнования.", "past", "У меня умер отец, что делать со счётом?"),
                  Candidate("Карта заблокирована.", "canned", "karta", "karta")]
    ranked = rank("умер мой отец, как закрыть его счёт", candidates)
    assert ranked[0]["text"] == "Примите соболезнования." and ranked[0]["source"] == "past"
    assert rank("", candidates) == [] and rank("hallo", []) == []


@pytest.mark.parametrize("text,score", [("4", 4), (" 5/5 ", 5), ("1.", 1), ("6", None), ("4 stars and more", None),
                                        ("", None)])
def test_csat_answers(text, score):
    assert csat_score(text) == score


def test_expected_wait_comes_from_recent_claims(tmp_path):
    store = DeskStore(f"sqlite:///{tmp_path / 'desk.db'}")
    try:
        def claims(waits_in_minutes):
            def work(session):
                for number, wait in enumerate(waits_in_minutes):
                    session.add(Conversation(public_id=f"w{number}-{wait}", channel="web", external_id="x",
                                             state="closed", reasons=[], skill="care", created_at=NOW,
                                             updated_at=NOW, queued_at=NOW, claimed_at=NOW + timedelta(minutes=wait)))
            store.run_sync(work)

        claims([2, 4])
        assert store.run_sync(lambda s: expected_wait_minutes(s, "care", 1)) is None  # too few to tell
        claims([6])
        assert store.run_sync(lambda s: expected_wait_minutes(s, "care", 1)) == 4  # median of 2, 4, 6
        assert store.run_sync(lambda s: expected_wait_minutes(s, "care", 3)) == 12
        assert store.run_sync(lambda s: expected_wait_minutes(s, "billing", 1)) is None
    finally:
        store.close()


def test_agent_command_creates_agents_and_refuses_bad_input(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NEW_PASSWORD", "a long enough password")
    base = ["--username", "maria", "--name", "Maria", "--password-env", "NEW_PASSWORD"]
    assert agents_command.main([*base, "--skills", "billing,astrology", "--languages", "de"]) == 2
    assert "astrology" in capsys.readouterr().err
    monkeypatch.setenv("NEW_PASSWORD", "short")
    assert agents_command.main([*base, "--skills", "billing", "--languages", "de"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    store = DeskStore(url)
    assert store.run_sync(all_agents) == []  # nothing half-saved
    monkeypatch.setenv("NEW_PASSWORD", "a long enough password")
    assert agents_command.main([*base, "--skills", "orders,billing", "--languages", "de,en", "--capacity", "5"]) == 0
    [maria] = store.run_sync(all_agents)
    store.close()
    assert (maria.skills, maria.languages, maria.capacity) == (["billing", "orders"], ["en", "de"], 5)
