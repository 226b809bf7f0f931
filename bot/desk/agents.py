"""Create or change an agent from the command line.

    python -m bot.desk.agents --username maria --name "Maria Lopez" \\
        --skills billing,orders --languages en,de --capacity 4 [--supervisor]

The password is read from the terminal (or from the environment variable named by
``--password-env``, for scripts); it is stored only as a salted scrypt hash.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Optional, Sequence

from bot.desk.storage import DeskStore
from bot.desk.team import SKILLS, TeamError, new_agent
from bot.languages import SUPPORTED_LANGUAGES
from bot.settings import Settings


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Create or change a desk agent.")
    parser.add_argument("--username", required=True)
    parser.add_argument("--name", required=True, help="shown to customers next to the agent's replies")
    parser.add_argument("--skills", required=True, help=f"comma-separated: {', '.join(SKILLS)}")
    parser.add_argument("--languages", required=True, help=f"comma-separated: {', '.join(SUPPORTED_LANGUAGES)}")
    parser.add_argument("--capacity", type=int, default=3, help="conversations at once (default 3)")
    parser.add_argument("--supervisor", action="store_true", help="sees every queue")
    parser.add_argument("--password-env", help="read the password from this environment variable")
    args = parser.parse_args(argv)
    if args.password_env:
        password = os.environ.get(args.password_env, "")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
    store = DeskStore(Settings.from_env().database_url)
    try:
        agent = store.run_sync(lambda s: new_agent(
            s, args.username, args.name, password, args.skills.split(","), args.languages.split(","),
            args.capacity, args.supervisor))
    except TeamError as error:
        print(f"Not saved: {error}", file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"Agent {agent.username} saved: skills {', '.join(agent.skills)}; languages {', '.join(agent.languages)}; "
          f"capacity {agent.capacity}{'; supervisor' if agent.supervisor else ''}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
