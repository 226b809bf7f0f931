"""``python -m bot.desk``: run the gateway with the settings from the environment."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.desk.app import create_app
from bot.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    web.run_app(create_app(settings), host=settings.host, port=settings.desk_port, print=None)


if __name__ == "__main__":
    main()
