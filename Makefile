# The README's commands. `run` and `test` set up .venv on first use.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run test test-fast lint format bench clean

setup: $(STAMP)

# torch first, pinned: anything that depends on it would otherwise pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev,engines,llm]"
	$(VENV)/bin/callreview models llm install
	touch $(STAMP)

# Development mode is chosen here, explicitly: demo accounts and the placeholder secret.
# Everywhere else the default is production (see the README's deployment checklist).
run: setup
	$(VENV)/bin/callreview db upgrade
	CALLREVIEW_ENVIRONMENT=development $(VENV)/bin/callreview serve --host $(HOST) --port $(PORT)

test: setup
	./.ci/tools
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick tier: no real Whisper runs, no browser (under 2 minutes on two quiet cores).
test-fast: setup
	$(PY) -m pytest -m "not slow" --ignore=tests/web $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core transcription scoring coaching models pipeline api
	$(VENV)/bin/lint-imports
	$(PY) -m models.migrate

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) bench/accuracy.py
	$(PY) bench/speed.py

clean:
	rm -rf $(VENV) var callreview.db* .pytest_cache .mypy_cache .ruff_cache
