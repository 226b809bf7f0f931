"""Throw-away databases for tests, which a test may stop and start again.

SQLite always; PostgreSQL when TEST_POSTGRES=1 or in CI (``make test`` sets it): Debian's
server, installed with apt when missing, run as a private cluster on a free port in a
temporary directory, and removed afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import List

from bot.processes import free_port


def postgres_wanted() -> bool:
    return os.environ.get("TEST_POSTGRES") == "1" or bool(os.environ.get("CI"))


class SqliteDatabase:
    """A database file; "stopping" it moves the file away, as if the disk were gone."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "support.db"
        self.url = f"sqlite:///{self.path}"

    def stop(self) -> None:
        self.path.rename(self.path.with_suffix(".away"))

    def start(self) -> None:
        self.path.unlink(missing_ok=True)  # an empty file a failed connect may have left
        self.path.with_suffix(".away").rename(self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        print("Installing PostgreSQL with apt-get (the tests need a real server) ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("initdb not found after `apt-get install postgresql`; install it by hand.")
    return Path(found[-1]).parent


class PostgresCluster:
    """A private PostgreSQL server with one empty database ``support_test``."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="pg-test-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/support_test"
        if os.geteuid() == 0:  # the server refuses to run as root
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "-c", "CREATE DATABASE support_test")

    def _run(self, tool: str, *args: str) -> None:
        as_postgres: List[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(as_postgres + [str(self.bin / tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "server.log"),
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
