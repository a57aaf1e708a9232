# The README's commands. `run` and `test` set up .venv on first use.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup run test test-fast lint format bench clean lock

setup: $(STAMP)

# torch first, pinned: anything that depends on it would otherwise pull a multi-GB CUDA build.
# requirements.lock pins every distribution to the version tested here (`make lock` rewrites it).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev,engines,llm]"
	$(PY) -m pip install --quiet --no-deps Resemblyzer==0.1.4  # weights only (see pyproject)
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

# The quick tier: no real Whisper, no local language model, no browser; one worker per core,
# a file's tests together (103 s on two cores, 604 tests).
test-fast: setup
	$(PY) -m pytest -m "not slow and not llm" --ignore=tests/web -n auto --dist loadfile $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy core transcription scoring coaching models domains pipeline api
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

# Pin what is installed now (after `make setup` and the tests pass) as the constraints file.
lock:
	$(PY) -c 'from importlib.metadata import distributions as d; \
	  pins = {x.metadata["Name"].lower(): x.version for x in d()}; pins.pop("callreview", None); \
	  print("\n".join(f"{n}=={v}" for n, v in sorted(pins.items())))' > requirements.lock
