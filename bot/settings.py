"""The one place that reads configuration: the environment (see .env.example), and
config.yml's component settings for the benchmarks and tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, FrozenSet, Mapping, Optional

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent


def component_config(section: str, component: Any) -> Dict[str, Any]:
    """A pipeline component's or policy's settings in ``config.yml`` (``section`` is
    ``pipeline`` or ``policies``) over its defaults, as Rasa will see them; for the
    benchmarks and tests that must use what the trained model uses."""
    config = YAML(typ="safe").load((ROOT / "config.yml").read_text(encoding="utf-8"))
    own = next(entry for entry in config[section] if entry["name"].endswith(component.__name__))
    return {**component.get_default_config(), **own}


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


class ConfigError(SystemExit):
    """A setting that cannot work; the message names the variable and the fix."""


@dataclass(frozen=True)
class ChannelSecrets:
    """Credentials of the messenger platforms; a channel is on when its token is set."""

    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    messenger_page_token: str = ""
    messenger_app_secret: str = ""
    messenger_verify_token: str = ""
    messenger_api_base: str = "https://graph.facebook.com/v19.0"

    @property
    def telegram(self) -> bool:
        return bool(self.telegram_token)

    @property
    def messenger(self) -> bool:
        return bool(self.messenger_page_token)


@dataclass(frozen=True)
class Settings:
    host: str
    rasa_port: int
    action_port: int
    models_dir: Path
    database_url: str
    desk_port: int = 8080
    api_keys: FrozenSet[str] = frozenset()
    channels: ChannelSecrets = ChannelSecrets()
    max_message_chars: int = 4000
    rate_limit_messages: int = 20
    rate_limit_seconds: float = 60.0
    rasa_timeout_seconds: float = 30.0
    # Rasa's conversation trackers: kept in SQL so a restarted Rasa loses nothing.
    tracker_store_url: str = f"sqlite:///{ROOT / 'var' / 'rasa-tracker.db'}"
    # The console's session cookie: Secure always (True), never (False), or when the
    # request came over HTTPS (None).
    cookie_secure: Optional[bool] = None
    # Where `make run` keeps the demo agents' made-up passwords.
    demo_logins_file: Path = ROOT / "var" / "demo-agents.json"

    @property
    def desk_url(self) -> str:
        return f"http://{self.host}:{self.desk_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> "Settings":
        env = {**_load_dotenv(ROOT / ".env"), **(environ if environ is not None else os.environ)}

        def number(name: str, default: str, kind=int):
            try:
                value = kind(env.get(name) or default)
            except ValueError:
                raise ConfigError(f"{name}={env.get(name)!r} is not a number; fix it in the environment or .env.")
            if value <= 0:
                raise ConfigError(f"{name} must be greater than 0 (it is {value}).")
            return value

        channels = ChannelSecrets(
            telegram_token=env.get("TELEGRAM_TOKEN", ""),
            telegram_secret=env.get("TELEGRAM_SECRET", ""),
            telegram_api_base=env.get("TELEGRAM_API_BASE") or ChannelSecrets.telegram_api_base,
            messenger_page_token=env.get("MESSENGER_PAGE_TOKEN", ""),
            messenger_app_secret=env.get("MESSENGER_APP_SECRET", ""),
            messenger_verify_token=env.get("MESSENGER_VERIFY_TOKEN", ""),
            messenger_api_base=env.get("MESSENGER_API_BASE") or ChannelSecrets.messenger_api_base,
        )
        if channels.telegram and not channels.telegram_secret:
            raise ConfigError("TELEGRAM_TOKEN is set but TELEGRAM_SECRET is empty: set the secret "
                              "token you registered with setWebhook, so forged updates are refused.")
        if channels.messenger and not (channels.messenger_app_secret and channels.messenger_verify_token):
            raise ConfigError("MESSENGER_PAGE_TOKEN is set but MESSENGER_APP_SECRET or "
                              "MESSENGER_VERIFY_TOKEN is empty: both are needed to check Meta's "
                              "signatures and the webhook handshake.")
        return cls(
            host=env.get("HOST", "127.0.0.1"),
            rasa_port=number("RASA_PORT", "5005"),
            action_port=number("ACTION_PORT", "5055"),
            models_dir=Path(env.get("MODELS_DIR", str(ROOT / "models"))),
            database_url=env.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'support.db'}",
            desk_port=number("DESK_PORT", "8080"),
            api_keys=frozenset(key.strip() for key in env.get("DESK_API_KEYS", "").split(",") if key.strip()),
            channels=channels,
            max_message_chars=number("MAX_MESSAGE_CHARS", "4000"),
            rate_limit_messages=number("RATE_LIMIT_MESSAGES", "20"),
            rate_limit_seconds=number("RATE_LIMIT_SECONDS", "60", float),
            rasa_timeout_seconds=number("RASA_TIMEOUT_SECONDS", "30", float),
            tracker_store_url=env.get("TRACKER_STORE_URL") or cls.tracker_store_url,
            cookie_secure=_flag(env, "DESK_COOKIE_SECURE"),
            demo_logins_file=Path(env.get("DEMO_LOGINS_FILE") or cls.demo_logins_file),
        )


def _flag(env: Mapping[str, str], name: str) -> Optional[bool]:
    value = (env.get(name) or "").strip().lower()
    if not value or value == "auto":
        return None
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise ConfigError(f"{name}={value!r}: use 1, 0 or auto.")
