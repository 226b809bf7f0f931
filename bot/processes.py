"""Start and stop the servers as child processes: used by ``make run`` and by the tests.

Both need the same thing: the real Rasa server and action server on given ports, ready
before anyone talks to them, and gone afterwards (with their whole process group).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, List, Optional

from bot.settings import ROOT

QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    health_url: str
    log_path: Optional[Path]

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} before it "
                    f"was ready. Last log lines:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(
            f"{self.name} did not answer {self.health_url} within {timeout:.0f} s. "
            f"Last log lines:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _spawn(name: str, command: List[str], health_url: str, log_path: Optional[Path], env: dict) -> Server:
    output: Optional[IO] = None
    if log_path:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        output = open(log_path, "w")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **QUIET_ENV, **env},
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
        start_new_session=True,  # its own process group: stop() takes its children too
    )
    return Server(name, process, health_url, log_path)


def start_action_server(port: int, log_path: Optional[Path] = None, env: Optional[dict] = None) -> Server:
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)]
    return _spawn("action server", command, f"http://127.0.0.1:{port}/health", log_path, env or {})


def start_rasa_server(
    model: Path,
    port: int,
    action_endpoint_url: str,
    tracker_store_url: str,
    log_path: Optional[Path] = None,
    env: Optional[dict] = None,
) -> Server:
    """Rasa with its trackers in SQL (``tracker_store_url``), so a restart resumes
    every conversation where it was."""
    if tracker_store_url.startswith("sqlite:///"):
        Path(tracker_store_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--port", str(port),
        "--enable-api",
        "--cors", "*",
        "--endpoints", str(ROOT / "endpoints.yml"),
        "--credentials", str(ROOT / "credentials.yml"),
    ]
    return _spawn(
        "Rasa server",
        command,
        f"http://127.0.0.1:{port}/status",
        log_path,
        {"ACTION_ENDPOINT_URL": action_endpoint_url, "TRACKER_STORE_URL": tracker_store_url, **(env or {})},
    )


def start_desk(port: int, rasa_port: int, database_url: str, log_path: Optional[Path] = None,
               env: Optional[dict] = None) -> Server:
    """The desk gateway in front of the Rasa server on ``rasa_port``."""
    command = [sys.executable, "-m", "bot.desk"]
    return _spawn(
        "desk gateway",
        command,
        f"http://127.0.0.1:{port}/health",
        log_path,
        {"DESK_PORT": str(port), "RASA_PORT": str(rasa_port), "DATABASE_URL": database_url, **(env or {})},
    )
