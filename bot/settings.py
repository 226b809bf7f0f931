"""The one place that reads configuration from the environment (see .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> Dict[str, str]:
    """KEY=VALUE lines of ``.env``, if the file exists; the real environment wins."""
    values: Dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    action_port: int
    models_dir: Path
    database_url: str

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = {**_load_dotenv(ROOT / ".env"), **(environ if environ is not None else os.environ)}
        try:
            return cls(
                host=env.get("HOST", "127.0.0.1"),
                rasa_port=int(env.get("RASA_PORT", "5005")),
                action_port=int(env.get("ACTION_PORT", "5055")),
                models_dir=Path(env.get("MODELS_DIR", str(ROOT / "models"))),
                database_url=env.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'support.db'}",
            )
        except ValueError as error:
            raise SystemExit(
                f"Invalid port in the environment or .env ({error}); "
                "RASA_PORT and ACTION_PORT must be numbers."
            )
