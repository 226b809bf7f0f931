"""``make run``: start every server, say where they are, stop them all on Ctrl-C."""

from __future__ import annotations

import signal
import sys
import time

from actions.seed import print_examples, seed_if_empty
from bot.desk.demo import ensure_demo
from bot.desk.storage import DeskStore
from bot.processes import start_action_server, start_desk, start_rasa_server
from bot.settings import ROOT, Settings
from bot.train import ensure_model


def main() -> int:
    settings = Settings.from_env()
    model = ensure_model(settings.models_dir)
    examples = seed_if_empty(settings.database_url)
    if examples:
        print_examples(examples)
    else:
        print("Database already seeded (make seed resets it).")
    store = DeskStore(settings.database_url)
    try:
        logins = ensure_demo(store, settings.demo_logins_file)
    finally:
        store.close()
    logs = ROOT / "var" / "logs"
    print("Starting the action server, the Rasa server and the desk gateway (logs in var/logs/) ...",
          flush=True)
    servers = [
        start_action_server(settings.action_port, logs / "actions.log",
                            env={"DATABASE_URL": settings.database_url}),
        start_rasa_server(model, settings.rasa_port, settings.action_endpoint_url,
                          settings.tracker_store_url, logs / "rasa.log"),
        start_desk(settings.desk_port, settings.rasa_port, settings.database_url, logs / "desk.log"),
    ]

    def stop_all(*_: object) -> None:
        for server in reversed(servers):
            server.stop()

    # Ctrl-C and `kill` both stop everything, even where the shell started us with
    # SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for server in servers:
            server.wait_until_ready()
        rest = f"{settings.rasa_url}/webhooks/rest/webhook"
        print(
            "\nReady.\n"
            f"  Customer page with the chat widget: {settings.desk_url}/\n"
            f"  Agent console:                      {settings.desk_url}/console\n"
            + "".join(f"      log in as {l['username']} / {l['password']}  ({l['about']})\n" for l in logins) +
            f"  Rasa server (REST channel):         {rest}\n"
            f"  Action server:                      http://{settings.host}:{settings.action_port}/health\n\n"
            "Try it: open the customer page, or\n"
            f"  curl -s {rest} -H 'Content-Type: application/json' "
            "-d '{\"sender\": \"me\", \"message\": \"Wo ist meine Bestellung A-10234?\"}'\n\n"
            "Press Ctrl-C to stop everything.",
            flush=True,
        )
        while all(server.process.poll() is None for server in servers):
            time.sleep(1)
        crashed = [s for s in servers if s.process.poll() is not None]
        for server in crashed:
            print(f"{server.name} stopped unexpectedly:\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...")
        return 0
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        stop_all()
        print("All servers stopped.")


if __name__ == "__main__":
    sys.exit(main())
