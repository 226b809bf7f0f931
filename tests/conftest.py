"""Shared fixtures: one trained model per run (cached by fingerprint), real servers."""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional

import pytest
import requests
from playwright.sync_api import Browser, sync_playwright
from ruamel.yaml import YAML
from sqlalchemy import create_engine, text as sql_text

from actions.seed import seed
from bot.processes import QUIET_ENV, Server, free_port, start_action_server, start_desk, start_rasa_server
from bot.settings import ROOT
from bot.train import ensure_model
from tests.browser import CHROMIUM_ARGS, ensure_chromium
from tests.fake_platform import FakePlatform
from tests.database import PostgresCluster, SqliteDatabase, postgres_wanted

os.environ.update(QUIET_ENV)
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The full model for the current data and config; trained only if missing.
    ``TEST_MODEL=path`` tests a given model instead (while data is being edited)."""
    if os.environ.get("TEST_MODEL"):
        return Path(os.environ["TEST_MODEL"])
    return ensure_model(Path(os.environ.get("MODELS_DIR", ROOT / "models")))


@pytest.fixture(scope="session")
def responses() -> Dict[str, Dict[str, str]]:
    """domain.yml responses as {name: {language: text}} (English is the plain variant)."""
    domain = YAML(typ="safe").load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    table: Dict[str, Dict[str, str]] = {}
    for name, variants in domain["responses"].items():
        for variant in variants:
            language = "en"
            for condition in variant.get("condition") or []:
                if condition.get("name") == "language":
                    language = condition["value"]
            table.setdefault(name, {})[language] = variant["text"]
    return table


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_wanted() else [])


@dataclass
class Stack:
    """The real servers of one run, and the database behind the action server."""

    rasa_url: str
    action_url: str
    database: object  # SqliteDatabase | PostgresCluster: .url, .stop(), .start()
    backend: str
    examples: list  # the seed's example customers (actions.seed.Example)
    rasa: "RasaProcess"


@dataclass
class RasaProcess:
    """The stack's Rasa server, which a test may restart on the same port."""

    model: Path
    port: int
    action_url: str
    tracker_store_url: str
    log: Path
    server: Optional[Server] = None

    def start(self) -> None:
        self.server = start_rasa_server(self.model, self.port, self.action_url, self.tracker_store_url,
                                        self.log.with_name(f"{self.log.stem}-{time.time():.0f}.log"))
        self.server.wait_until_ready()

    def stop(self) -> None:
        if self.server:
            self.server.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def stack(request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory) -> Iterator[Stack]:
    """Seeded database, action server and Rasa server on free ports, per backend."""
    backend = request.param
    if backend == "postgresql":
        database = PostgresCluster()
    else:
        database = SqliteDatabase(tmp_path_factory.mktemp("sqlite"))
    examples = seed(database.url)
    action_port, rasa_port = free_port(), free_port()
    logs = ARTIFACTS / "logs" / backend
    # Rasa's trackers get a database of their own: tests that take the actions'
    # database away must not take Rasa's memory with it.
    trackers = f"sqlite:///{tmp_path_factory.mktemp('trackers') / 'rasa-tracker.db'}"
    rasa = RasaProcess(trained_model, rasa_port, f"http://127.0.0.1:{action_port}/webhook",
                       trackers, logs / "rasa.log")
    action = start_action_server(action_port, logs / "actions.log", env={"DATABASE_URL": database.url})
    try:
        action.wait_until_ready()
        rasa.start()
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}",
                    database, backend, examples, rasa)
    finally:
        rasa.stop()
        action.stop()
        database.remove()


@pytest.fixture(scope="session")
def rest_url(stack: Stack) -> str:
    return f"{stack.rasa_url}/webhooks/rest/webhook"


@pytest.fixture
def talk(rest_url: str) -> Callable[..., List[str]]:
    """Send one customer message over the REST channel; returns the bot's texts."""

    def send(sender: str, text: str, metadata: Optional[dict] = None, raw: bool = False) -> List:
        body = {"sender": sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(rest_url, json=body, timeout=60)
        assert response.status_code == 200, response.text
        if raw:
            return response.json()
        return [message["text"] for message in response.json() if "text" in message]

    return send


@pytest.fixture
def sender(request: pytest.FixtureRequest) -> str:
    """A conversation id of its own for each test."""
    return f"{request.node.name}-{os.getpid()}"[:120]


DESK_SECRETS = {
    "DESK_API_KEYS": "test-api-key",
    "TELEGRAM_TOKEN": "123456:test-token",
    "TELEGRAM_SECRET": "telegram-secret",
    "MESSENGER_PAGE_TOKEN": "page-token",
    "MESSENGER_APP_SECRET": "app-secret",
    "MESSENGER_VERIFY_TOKEN": "verify-me",
}


@dataclass
class Desk:
    """A running desk gateway and the fake messenger platforms it sends to."""

    url: str
    platform: FakePlatform
    database_url: str

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-API-Key": DESK_SECRETS["DESK_API_KEYS"], **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}{path}", headers=headers, timeout=60, **kwargs)

    def stored(self, text: str) -> int:
        """How many desk messages have exactly this text (to prove nothing is stored twice)."""
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                return connection.execute(
                    sql_text("SELECT COUNT(*) FROM desk_messages WHERE text = :text"), {"text": text}
                ).scalar_one()
        finally:
            engine.dispose()


def _start_desk(rasa_port: int, database_url: str, platform: FakePlatform, name: str, **env: str) -> Server:
    port = free_port()
    server = start_desk(port, rasa_port, database_url, ARTIFACTS / "logs" / f"{name}.log", env={
        **DESK_SECRETS,
        "TELEGRAM_API_BASE": platform.url,
        "MESSENGER_API_BASE": platform.url,
        "DESK_PORT": str(port),
        **env,
    })
    server.wait_until_ready(60)
    return server


@contextmanager
def _running_desk(stack: Stack, name: str, rasa_delay_seconds: Optional[float] = None, **env: str) -> Iterator[Desk]:
    """A gateway with fake Telegram and Messenger APIs; with ``rasa_delay_seconds`` its
    Rasa is a fake that hangs that long instead of the stack's real one."""
    platform = FakePlatform(rasa_delay_seconds or 0.0).start()
    rasa_port = platform.port if rasa_delay_seconds is not None else stack.rasa.port
    server = _start_desk(rasa_port, stack.database.url, platform, f"{name}-{stack.backend}", **env)
    try:
        yield Desk(server.health_url.rsplit("/health", 1)[0], platform, stack.database.url)
    finally:
        server.stop()
        platform.stop()


@pytest.fixture(scope="session")
def desk(stack: Stack) -> Iterator[Desk]:
    """The gateway in front of the stack's Rasa."""
    with _running_desk(stack, "desk", RATE_LIMIT_MESSAGES="12") as running:
        yield running


@pytest.fixture(scope="session")
def desk_without_bot(stack: Stack) -> Iterator[Desk]:
    """A gateway whose Rasa never answers in time (a fake that hangs past the timeout)."""
    with _running_desk(stack, "desk-no-bot", rasa_delay_seconds=5, RASA_TIMEOUT_SECONDS="1") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium. Module-scoped on purpose: Playwright's sync API keeps an event
    loop running while it is started, and every later test that uses asyncio would fail
    on it."""
    executable = ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
