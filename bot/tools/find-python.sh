#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only).
# Looks at $PYTHON, then python3.10 on PATH, then pyenv's versions. Fails with a
# message that says what to install when there is none.
set -euo pipefail

is_310() { [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

if [ -n "${PYTHON:-}" ]; then
  if is_310 "$(command -v "$PYTHON" || echo "$PYTHON")"; then command -v "$PYTHON" || echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python 3.10 with venv; Rasa 3.6 needs 3.10." >&2
  exit 1
fi
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
for dir in "$pyenv_root"/versions/3.10*; do
  [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
done
for candidate in "${candidates[@]}"; do
  if is_310 "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.10 found (Rasa 3.6 needs Python 3.10; looked at $PYTHON, python3.10 on PATH
and pyenv's versions). Install one of:
  pyenv install 3.10.13            (with pyenv)
  apt-get install python3.10 python3.10-venv   (where your distribution has it)
or point to it: make run PYTHON=/path/to/python3.10
MSG
exit 1
