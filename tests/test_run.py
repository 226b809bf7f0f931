"""`make run` as a newcomer uses it: everything starts, the URLs and the demo agents'
logins are printed, the printed login works, and Ctrl-C stops everything."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time

import requests

from bot.processes import QUIET_ENV, free_port
from bot.settings import ROOT


def test_make_run_prints_working_logins_and_stops_on_ctrl_c(trained_model, tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "DESK_PORT": free_port()}
    env = {
        **QUIET_ENV, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        **{name: str(port) for name, port in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'support.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'trackers.db'}",
        "MODELS_DIR": str(trained_model.parent),
        "DEMO_LOGINS_FILE": str(tmp_path / "demo-agents.json"),
    }
    process = subprocess.Popen([sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output = []
    try:
        deadline = time.monotonic() + 240  # the model exists: no training, just starting up
        while time.monotonic() < deadline and not any("Press Ctrl-C" in line for line in output):
            try:
                output.append(lines.get(timeout=1))
            except queue.Empty:
                if process.poll() is not None:
                    break
        printed = "".join(output)
        assert "Press Ctrl-C" in printed, printed
        desk = f"http://127.0.0.1:{ports['DESK_PORT']}"
        assert f"{desk}/console" in printed and f"{desk}/" in printed
        logins = dict(re.findall(r"log in as (\w+) / (\S+)", printed))
        assert set(logins) == {"anna", "max"}
        answer = requests.post(f"{desk}/api/v1/agent/login",
                               json={"username": "anna", "password": logins["anna"]}, timeout=30)
        assert answer.status_code == 200 and answer.json()["agent"]["skills"] == ["billing", "care"]
        canned = requests.get(f"{desk}/api/v1/agent/canned?language=de", cookies=answer.cookies, timeout=30).json()
        assert "condolences" in [c["shortcut"] for c in canned["canned"]]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    time.sleep(0.5)  # the reader thread takes the last lines
    while not lines.empty():
        output.append(lines.get())
    assert "All servers stopped." in "".join(output)
    for port in ports.values():
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            raise AssertionError(f"something still answers on port {port}")
        except requests.ConnectionError:
            pass
