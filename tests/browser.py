"""What the browser tests need on the machine: Debian's Chromium and the published
``rasa-webchat`` bundle from npm. Each is installed only when missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from bot.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
WEBCHAT_VERSION = "1.0.1"
NPM_CACHE = ROOT / "var" / "npm"
# Without these, Chromium keeps trying Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _apt_install(*packages: str) -> None:
    if os.geteuid() != 0:
        raise RuntimeError(f"{' '.join(packages)} missing and not root: run `sudo apt-get install -y {' '.join(packages)}`.")
    print(f"Installing {' '.join(packages)} with apt-get (once per machine) ...", flush=True)
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *packages]):
        result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-1500:]}{result.stderr[-1500:]}")


def ensure_chromium() -> str:
    if not Path(CHROMIUM).exists():
        _apt_install("chromium")
    return CHROMIUM


def ensure_webchat() -> Path:
    """``lib/index.js`` of rasa-webchat, a standalone bundle (React included), unpacked
    from the npm registry's tarball: no dependency tree to install."""
    bundle = NPM_CACHE / f"rasa-webchat-{WEBCHAT_VERSION}" / "package" / "lib" / "index.js"
    if bundle.exists():
        return bundle
    if shutil.which("npm") is None:
        _apt_install("nodejs", "npm")
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    print(f"Fetching rasa-webchat@{WEBCHAT_VERSION} from npm ...", flush=True)
    result = subprocess.run(
        ["npm", "pack", f"rasa-webchat@{WEBCHAT_VERSION}", "--pack-destination", str(NPM_CACHE)],
        capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm pack rasa-webchat failed:\n{result.stderr[-2000:]}")
    with tarfile.open(NPM_CACHE / f"rasa-webchat-{WEBCHAT_VERSION}.tgz") as archive:
        archive.extractall(bundle.parents[2], filter="data")
    return bundle
