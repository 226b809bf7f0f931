# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore::DeprecationWarning
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	@python="$$(bot/tools/find-python.sh)" && echo "==> creating $(VENV) with $$python" && \
	  { [ -x $(PY) ] || "$$python" -m venv $(VENV); }
	@echo "==> installing pinned requirements (first time: a few minutes)"
	@$(PY) -m pip install --quiet --upgrade pip==24.0
	@$(PY) -m pip install --progress-bar on -r requirements.txt
	@touch $@
	@echo "==> $(VENV) ready ($$($(PY) --version), rasa $$($(PY) -c 'import rasa; print(rasa.__version__)'))"

venv: $(VENV)/.installed  ## create .venv and install the pinned requirements

train: venv  ## train the model unless one for the current data and config exists
	@$(PY) -m bot.train

validate: venv  ## designer checks: rasa data validate + our per-language checks
	@mkdir -p var && if $(PY) -m rasa data validate --fail-on-warnings > var/rasa-validate.log 2>&1; \
	  then echo "rasa data validate: no problems"; \
	  else grep -E "UserWarning|ERROR|Error" var/rasa-validate.log | tail -30; \
	       echo "rasa data validate found problems (full log: var/rasa-validate.log)"; exit 1; fi
	@$(PY) -m bot.validate

seed: venv  ## reset the orders/accounts database to the deterministic demo data
	@$(PY) -m actions.seed

run: venv  ## train if needed, seed, start the action server, Rasa and the desk gateway; Ctrl-C stops all
	@$(PY) -m bot.run

test: validate  ## the whole test suite (trains the test model once, cached by fingerprint)
	@TEST_POSTGRES=$${TEST_POSTGRES:-1} $(PY) -m pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; \
	  exit $$status

bench: bench-nlu bench-sensitivity bench-escalation  ## every benchmark

bench-nlu: venv  ## NLU accuracy/macro-F1 per language, ours vs rasa init -> bench/results/nlu.md
	@$(PY) -m bench.nlu

bench-sensitivity: venv  ## cross-validated sensitivity threshold on training data -> bench/results/sensitivity_cv.md
	@$(PY) -m bench.sensitivity_cv

bench-escalation: train  ## handoff recall / false escalation per language -> bench/results/escalation.md
	@$(PY) -m bench.escalation --brighter-limit 300

bench-escalation-dev: train  ## the same on the development set, listing every error -> bench/results/escalation_dev.md
	@$(PY) -m bench.escalation --dev

clean:  ## remove trained models and caches (keeps .venv)
	rm -rf models .cache .pytest_cache

.PHONY: help venv train validate seed run test bench bench-nlu bench-sensitivity bench-escalation bench-escalation-dev clean
