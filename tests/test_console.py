"""The agent console's API against the real gateway, Rasa and action server: login and
CSRF, routing by skill, language, capacity and priority, atomic claims, permissions,
replies reaching the customer, hand back into Rasa's tracker, close with CSAT."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest
import requests
from sqlalchemy import create_engine, text as sql_text

from bot.desk.notices import notice
from tests.agents import AgentClient, create_agent, set_conversation, set_everyone_away

BEREAVEMENT_DE = "Mein Vater ist letzte Woche gestorben. Was passiert mit seinem Konto?"
ASK_HUMAN_EN = "I want to talk to a real person please"


def queue_conversation(desk, text: str) -> str:
    """A customer on the REST API whose message the bot hands off; the conversation's id."""
    answer = desk.api("POST", f"/api/v1/conversations/{uuid.uuid4().hex[:16]}/messages", json={"text": text})
    assert answer.status_code == 200, answer.text
    conversation = answer.json()["conversation"]
    assert conversation["state"] == "queued", answer.json()
    return conversation["id"]


def customer_says(desk, public_id: str, text: str) -> dict:
    external = desk_external_id(desk, public_id)
    answer = desk.api("POST", f"/api/v1/conversations/{external}/messages", json={"text": text})
    assert answer.status_code == 200, answer.text
    return answer.json()


def desk_external_id(desk, public_id: str) -> str:
    engine = create_engine(desk.database_url, future=True)
    try:
        with engine.connect() as connection:
            return connection.execute(sql_text("SELECT external_id FROM desk_conversations WHERE public_id = :id"),
                                      {"id": public_id}).scalar_one()
    finally:
        engine.dispose()


def transcript(desk, public_id: str) -> list:
    return desk.api("GET", f"/api/v1/conversations/{desk_external_id(desk, public_id)}").json()["messages"]


@pytest.fixture
def team(desk):
    """A clean queue and four agents: German care, English billing (capacity 1),
    a second German care agent, and a supervisor who is away."""
    set_everyone_away(desk.database_url)
    create_agent(desk.database_url, "carla", ["care"], ["de"])
    create_agent(desk.database_url, "bill", ["billing"], ["en"], capacity=1)
    create_agent(desk.database_url, "clara", ["care"], ["de", "en"])
    create_agent(desk.database_url, "sue", ["technical"], ["id"], supervisor=True, status="away")
    return {name: AgentClient(desk.url, name) for name in ("carla", "bill", "clara", "sue")}


# --- login, sessions, CSRF ---------------------------------------------------------------

def test_login_sets_a_safe_cookie_and_logout_ends_the_session(desk, team):
    carla = team["carla"]
    cookie = carla.login.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert carla.get("/api/v1/agent/me").json()["agent"]["username"] == "carla"
    token = carla.session.cookies["desk_session"]
    engine = create_engine(desk.database_url, future=True)
    with engine.connect() as connection:
        stored = connection.execute(sql_text("SELECT token_hash, csrf_token FROM desk_agent_sessions")).all()
    engine.dispose()
    assert token not in {row[0] for row in stored}  # only the token's hash is kept

    assert carla.post("/api/v1/agent/logout").status_code == 200
    assert carla.get("/api/v1/agent/me").status_code == 401
    replay = requests.get(f"{desk.url}/api/v1/agent/queue", cookies={"desk_session": token}, timeout=30)
    assert replay.status_code == 401


def test_wrong_password_and_bad_login_bodies_are_refused(desk, team):
    assert AgentClient(desk.url, "carla", "wrong password!").login.status_code == 401
    assert AgentClient(desk.url, "nobody-here", "wrong password!").login.status_code == 401
    for body in ("not json", "[1, 2]", '{"username": "\\ud800", "password": "x"}',
                 '{"username": ["carla"], "password": "x"}', '{"username": "%s", "password": "x"}' % ("a" * 70)):
        answer = requests.post(f"{desk.url}/api/v1/agent/login", data=body, timeout=30)
        assert answer.status_code == 400 and "error" in answer.json(), body
    create_agent(desk.database_url, "guessed", ["care"], ["de"], status="away")
    with ThreadPoolExecutor(4) as pool:  # guesses in parallel count too
        list(pool.map(lambda _: AgentClient(desk.url, "guessed", "wrong password!"), range(12)))
    assert AgentClient(desk.url, "guessed").login.status_code == 429  # even the right one, for a while


def test_changes_need_the_csrf_token_and_the_same_origin(desk, team):
    carla = team["carla"]
    assert carla.post("/api/v1/agent/status", {"status": "away"}, csrf="").status_code == 403
    assert carla.post("/api/v1/agent/status", {"status": "away"}, csrf="forged-token").status_code == 403
    assert carla.post("/api/v1/agent/status", {"status": "away"}, csrf="fälschung").status_code == 403
    cross_site = carla.post("/api/v1/agent/status", {"status": "away"}, Origin="https://evil.example")
    assert cross_site.status_code == 403
    assert carla.get("/api/v1/agent/me").json()["agent"]["status"] == "available"  # nothing changed
    anonymous = requests.post(f"{desk.url}/api/v1/agent/status", json={"status": "away"}, timeout=30)
    assert anonymous.status_code == 401
    assert requests.get(f"{desk.url}/api/v1/agent/queue", timeout=30).status_code == 401


# --- routing ---------------------------------------------------------------------------------

def test_queue_is_routed_by_skill_and_language_and_ordered_by_priority(desk, team):
    normal_care = queue_conversation(desk, BEREAVEMENT_DE)
    set_conversation(desk.database_url, normal_care, priority="normal")
    high_care = queue_conversation(desk, BEREAVEMENT_DE)  # newer, but high priority
    billing_en = queue_conversation(desk, ASK_HUMAN_EN)
    set_conversation(desk.database_url, billing_en, skill="billing", language="en")

    assert team["carla"].queue_ids() == [high_care, normal_care]
    assert team["bill"].queue_ids() == [billing_en]
    assert team["clara"].queue_ids() == [high_care, normal_care]  # speaks English, but no billing skill
    assert set(team["sue"].queue_ids()) == {high_care, normal_care, billing_en}  # supervisor
    item = team["carla"].get("/api/v1/agent/queue").json()["queue"][0]
    assert item["language"] == "de" and item["channel"] == "api" and item["priority"] == "high"
    assert "sensitive:bereavement" in item["reasons"] and item["waiting_seconds"] >= 0 and item["matched"]

    # Nobody who can take it is available: then everyone sees it.
    assert team["bill"].post("/api/v1/agent/status", {"status": "away"}).status_code == 200
    queue = team["carla"].get("/api/v1/agent/queue").json()["queue"]
    assert [(i["id"], i["matched"]) for i in queue] == [(high_care, True), (normal_care, True), (billing_en, False)]


def test_customer_is_told_the_place_in_the_queue_in_their_language(desk, team):
    first = queue_conversation(desk, BEREAVEMENT_DE)
    answer = desk.api("POST", f"/api/v1/conversations/{uuid.uuid4().hex[:16]}/messages", json={"text": BEREAVEMENT_DE})
    replies = [reply["text"] for reply in answer.json()["replies"]]
    assert replies[-1] == notice("queue_place", "de", place=2)
    assert first != answer.json()["conversation"]["id"]


def test_capacity_and_away_status_limit_claims(desk, team):
    one, two = queue_conversation(desk, ASK_HUMAN_EN), queue_conversation(desk, ASK_HUMAN_EN)
    for conversation in (one, two):
        set_conversation(desk.database_url, conversation, skill="billing", language="en")
    bill = team["bill"]
    assert bill.act(one, "claim").status_code == 200
    refused = bill.act(two, "claim")
    assert refused.status_code == 409 and "capacity" in refused.json()["error"]
    clara = team["clara"]
    clara.post("/api/v1/agent/status", {"status": "away"})
    assert "away" in clara.act(two, "claim").json()["error"]


def test_one_agent_claiming_two_at_once_stays_within_capacity(desk, team):
    one, two = queue_conversation(desk, ASK_HUMAN_EN), queue_conversation(desk, ASK_HUMAN_EN)
    for conversation in (one, two):
        set_conversation(desk.database_url, conversation, skill="billing", language="en")
    bill = team["bill"]  # capacity 1
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda conversation: bill.act(conversation, "claim"), (one, two)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert len(bill.get("/api/v1/agent/queue").json()["mine"]) == 1


def test_two_agents_claiming_at_once_one_wins(desk, team):
    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    agents = [team["carla"], team["clara"]]
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda agent: agent.act(conversation, "claim"), agents))
    assert sorted(a.status_code for a in answers) == [200, 409]
    loser = next(a for a in answers if a.status_code == 409)
    assert "already taken" in loser.json()["error"]
    winner = agents[[a.status_code for a in answers].index(200)]
    assert winner.get(f"/api/v1/agent/conversations/{conversation}").json()["conversation"]["mine"] is True


def test_agents_cannot_see_or_touch_conversations_that_are_not_theirs(desk, team):
    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    bill = team["bill"]
    assert bill.get(f"/api/v1/agent/conversations/{conversation}").status_code == 404
    assert bill.act(conversation, "claim").status_code == 404
    assert team["carla"].act(conversation, "claim").status_code == 200
    clara = team["clara"]  # sees the queue for German care, but this one is Carla's now
    assert clara.get(f"/api/v1/agent/conversations/{conversation}").status_code == 404
    for action, body in (("messages", {"text": "hi"}), ("handback", None), ("close", None), ("transfer", {"skill": "care"})):
        assert clara.act(conversation, action, body).status_code == 404, action
    assert team["sue"].get(f"/api/v1/agent/conversations/{conversation}").status_code == 200  # supervisor
    assert team["sue"].act(conversation, "messages", {"text": "hi"}).status_code == 409  # sees, does not act
    assert transcript(desk, conversation)[-1]["author"] != "agent"


# --- the conversation with a person ---------------------------------------------------------------

def test_agent_reply_hand_back_and_the_bot_resumes_the_same_conversation(desk, stack, team, responses):
    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    carla = team["carla"]
    assert carla.act(conversation, "claim").status_code == 200
    view = carla.get(f"/api/v1/agent/conversations/{conversation}").json()
    assert [m["text"] for m in view["messages"]][0] == BEREAVEMENT_DE
    assert view["messages"][1]["text"] == responses["utter_handoff_bereavement"]["de"]  # bot turns included
    assert view["conversation"]["summary"] and view["conversation"]["owner"] == "Carla"
    assert view["conversation"]["scores"]["sensitivity"]["topic"] == "bereavement"  # why it was handed off

    assert carla.act(conversation, "messages", {"text": "Mein Beileid. Ich kümmere mich darum."}).status_code == 200
    assert carla.act(conversation, "messages", {"text": "   "}).status_code == 400
    customer_says(desk, conversation, "Danke, das hilft mir sehr.")  # to the agent, not to Rasa
    agent_message = [m for m in transcript(desk, conversation) if m["author"] == "agent"][0]
    assert agent_message["payload"]["sender_name"] == "Carla"

    assert carla.act(conversation, "handback").status_code == 200
    tracker = requests.get(f"{stack.rasa_url}/conversations/{conversation}/tracker", timeout=30).json()
    bot_texts = [e.get("text") for e in tracker["events"] if e["event"] == "bot"]
    assert "Mein Beileid. Ich kümmere mich darum." in bot_texts  # the agent's turn, in the same tracker
    assert [e.get("text") for e in tracker["events"] if e["event"] == "user"] == [BEREAVEMENT_DE]

    answer = customer_says(desk, conversation, "Wo ist meine Bestellung A-10234?")
    assert answer["conversation"]["id"] == conversation and answer["conversation"]["state"] == "bot"
    assert "A-10234" in answer["replies"][0]["text"]
    assert notice("handed_back", "de") in [m["text"] for m in transcript(desk, conversation)]


def test_close_asks_for_csat_and_records_the_answer(desk, team):
    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    carla = team["carla"]
    carla.act(conversation, "claim")
    assert carla.act(conversation, "close").status_code == 200
    question = transcript(desk, conversation)[-1]
    assert question["text"] == notice("csat_question", "de")
    assert [b["payload"] for b in question["payload"]["buttons"]] == ["1", "2", "3", "4", "5"]
    assert carla.act(conversation, "messages", {"text": "noch da?"}).status_code == 409  # closed

    answer = customer_says(desk, conversation, "4")
    assert answer["conversation"]["id"] == conversation and answer["conversation"]["csat"] == 4
    assert [r["text"] for r in answer["replies"]] == [notice("csat_thanks", "de")]
    later = customer_says(desk, conversation, "Hallo")  # a new question starts a new conversation
    assert later["conversation"]["id"] != conversation and later["conversation"]["state"] == "bot"


def test_transfer_moves_the_conversation_to_another_skill(desk, team):
    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    carla, clara = team["carla"], team["clara"]
    carla.act(conversation, "claim")
    assert carla.act(conversation, "transfer", {"skill": "astrology"}).status_code == 400
    moved = carla.act(conversation, "transfer", {"skill": "billing"})
    assert moved.status_code == 200 and moved.json()["conversation"]["state"] == "queued"
    # Nobody does German billing yet, so everyone sees it, marked as not theirs ...
    unmatched = clara.get("/api/v1/agent/queue").json()["queue"]
    assert [(item["id"], item["skill"], item["matched"]) for item in unmatched] == [(conversation, "billing", False)]
    create_agent(desk.database_url, "bernd", ["billing"], ["de"])
    assert conversation not in clara.queue_ids()  # ... until someone who does is available
    assert conversation in AgentClient(desk.url, "bernd").queue_ids()


def test_canned_responses_are_managed_by_supervisors_and_suggested(desk, team):
    carla, sue = team["carla"], team["sue"]
    refused = carla.post("/api/v1/agent/canned", {"language": "de", "shortcut": "x", "text": "Besuchen Sie evil.example"})
    assert refused.status_code == 403  # agents use canned responses; supervisors change them
    for body in ({"language": "xx", "shortcut": "a", "text": "b"}, {"language": "de", "shortcut": 5, "text": "b"},
                 {"language": "de", "shortcut": "a", "text": ["b"]}):
        bad = sue.post("/api/v1/agent/canned", body)
        assert bad.status_code == 400 and bad.json()["error"], body
    created = sue.post("/api/v1/agent/canned", {"language": "de", "shortcut": "beileid",
                                                "text": "Mein herzliches Beileid zum Tod Ihres Vaters."})
    assert created.status_code == 201, created.text
    sue.post("/api/v1/agent/canned", {"language": "de", "shortcut": "lieferung",
                                      "text": "Ihre Bestellung ist unterwegs und kommt bald an."})
    clash = sue.post("/api/v1/agent/canned", {"language": "de", "shortcut": "beileid", "text": "x"})
    assert clash.status_code == 409
    missing = sue.session.put(f"{desk.url}/api/v1/agent/canned/999999", json={"language": "de", "shortcut": "y",
                              "text": "z"}, headers={"X-CSRF-Token": sue.csrf}, timeout=30)
    assert missing.status_code == 404

    conversation = queue_conversation(desk, BEREAVEMENT_DE)
    view = carla.get(f"/api/v1/agent/conversations/{conversation}").json()
    ranked = [(s["source"], s["text"]) for s in view["suggestions"]]
    # An earlier agent's reply to this very message, and the matching canned response,
    # rank above the canned response about deliveries.
    assert ranked[:2] == [("past", "Mein Beileid. Ich kümmere mich darum."),
                          ("canned", "Mein herzliches Beileid zum Tod Ihres Vaters.")]
    canned_id = created.json()["canned"]["id"]
    deleted = sue.session.delete(f"{desk.url}/api/v1/agent/canned/{canned_id}",
                                 headers={"X-CSRF-Token": sue.csrf}, timeout=30)
    assert deleted.status_code == 200
    shortcuts = [c["shortcut"] for c in carla.get("/api/v1/agent/canned?language=de").json()["canned"]]
    assert "beileid" not in shortcuts and "lieferung" in shortcuts


def test_customer_context_shows_the_orders_the_customer_named(desk, team):
    external = uuid.uuid4().hex[:16]
    desk.api("POST", f"/api/v1/conversations/{external}/messages", json={"text": "Wo ist meine Bestellung A-10234?"})
    answer = desk.api("POST", f"/api/v1/conversations/{external}/messages", json={"text": "Ich will mit einem Menschen sprechen"})
    conversation = answer.json()["conversation"]["id"]
    assert answer.json()["conversation"]["state"] == "queued"
    view = team["sue"].get(f"/api/v1/agent/conversations/{conversation}").json()
    assert [order["code"] for order in view["customer"]["orders"]] == ["A-10234"]
    assert view["customer"]["accounts"] == []  # not verified: no balances


def test_live_updates_name_only_conversations_the_agent_may_see(desk, team):
    async def listen() -> tuple:
        cookies = {"desk_session": team["carla"].session.cookies["desk_session"]}
        async with aiohttp.ClientSession(cookies=cookies) as session:
            refused = await session.get(f"{desk.url}/api/v1/agent/live", headers={"Origin": "https://evil.example"})
            async with session.ws_connect(f"{desk.url}/api/v1/agent/live") as socket:
                await asyncio.to_thread(queue_conversation, desk, ASK_HUMAN_EN)  # English technical: not Carla's
                first = await socket.receive_json(timeout=30)
                mine = await asyncio.to_thread(queue_conversation, desk, BEREAVEMENT_DE)
                events = [await socket.receive_json(timeout=30)]
                while events[-1].get("conversation") != mine:
                    events.append(await socket.receive_json(timeout=30))
                return refused.status, first, mine, events

    create_agent(desk.database_url, "ted", ["technical"], ["en"])  # so the English one is routed away
    refused, first, mine, events = asyncio.run(listen())
    assert refused == 403
    assert first == {"type": "changed"}
    assert events[-1] == {"type": "changed", "conversation": mine}


def test_hand_back_while_rasa_is_down_keeps_the_conversation_with_the_agent(desk_without_bot):
    gateway = desk_without_bot
    set_everyone_away(gateway.database_url)
    create_agent(gateway.database_url, "tina", ["technical"], ["en"])
    tina = AgentClient(gateway.url, "tina")
    external = uuid.uuid4().hex[:16]
    queued = gateway.api("POST", f"/api/v1/conversations/{external}/messages", json={"text": "hello?"}).json()
    conversation = queued["conversation"]["id"]
    assert queued["conversation"]["reasons"] == ["action_failed"]
    assert tina.act(conversation, "claim").status_code == 200
    assert tina.act(conversation, "messages", {"text": "x" * 5000}).status_code == 413
    assert tina.act(conversation, "messages", {"text": "Sorry for the wait, I am here."}).status_code == 200
    refused = tina.act(conversation, "handback")
    assert refused.status_code == 503 and "stays yours" in refused.json()["error"]
    view = tina.get(f"/api/v1/agent/conversations/{conversation}").json()
    assert view["conversation"]["state"] == "agent" and view["conversation"]["mine"]
    assert [m["text"] for m in view["messages"] if m["author"] == "agent"] == ["Sorry for the wait, I am here."]
