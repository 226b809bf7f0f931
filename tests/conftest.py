"""Shared fixtures: one trained model per run (cached by fingerprint), real servers."""

from __future__ import annotations

import os
from pathlib import Path
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional

import pytest
import requests
from ruamel.yaml import YAML

from actions.seed import seed
from bot.processes import QUIET_ENV, free_port, start_action_server, start_rasa_server
from bot.settings import ROOT
from bot.train import ensure_model
from tests.database import PostgresCluster, SqliteDatabase, postgres_wanted

os.environ.update(QUIET_ENV)
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The full model for the current data and config; trained only if missing."""
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
    action = start_action_server(action_port, logs / "actions.log", env={"DATABASE_URL": database.url})
    rasa = start_rasa_server(
        trained_model, rasa_port, f"http://127.0.0.1:{action_port}/webhook", logs / "rasa.log"
    )
    try:
        action.wait_until_ready()
        rasa.wait_until_ready()
        yield Stack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}",
                    database, backend, examples)
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
