"""Train the model only when something it is built from changed.

Rasa's own "nothing changed" check ignores our component code in ``bot/`` (it only sees
the class body) and always needs the previous model next to it. We name each model by a
fingerprint of everything that shapes it (config, domain, training data, our NLU and
policy code, pinned requirements), so ``make run``, ``make test`` and CI reuse a model
exactly when it is still right, and retrain otherwise.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List

from bot.settings import ROOT, Settings

FINGERPRINTED = ["config.yml", "domain.yml", "requirements.txt", "data", "bot/nlu", "bot/policies", "bot/languages.py"]


def _files(paths: Iterable[str]) -> List[Path]:
    found: List[Path] = []
    for name in paths:
        path = ROOT / name
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            found.append(path)
    return found


def fingerprint(paths: Iterable[str] = FINGERPRINTED) -> str:
    digest = hashlib.sha256()
    for path in _files(paths):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path) -> Path:
    return models_dir / f"model-{fingerprint()}.tar.gz"


def ensure_model(models_dir: Path) -> Path:
    """The model for the current sources, trained first if it does not exist yet."""
    target = model_path(models_dir)
    if target.exists():
        print(f"Model is up to date: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    print(f"Training {target.name} (data or config changed; takes a few minutes) ...", flush=True)
    started = time.perf_counter()
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(ROOT / "config.yml"),
        "--domain", str(ROOT / "domain.yml"),
        "--data", str(ROOT / "data"),
        "--out", str(models_dir),
        "--fixed-model-name", target.name[: -len(".tar.gz")],
        # Our fingerprint already decided that something changed; Rasa's component
        # cache cannot see files our components read or code outside class bodies.
        "--force",
    ]
    log_path = models_dir / f"{target.name}.log"
    with open(log_path, "w") as log:
        result = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if result.returncode != 0 or not target.exists():
        tail = log_path.read_text(errors="replace").splitlines()[-25:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(
            f"Training failed (exit {result.returncode}); the full log is {log_path}. "
            "Run `make validate` to check the data first."
        )
    print(f"Trained {target.name} in {time.perf_counter() - started:.0f} s.")
    return target


def main() -> None:
    ensure_model(Settings.from_env().models_dir)


if __name__ == "__main__":
    main()
