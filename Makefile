# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each builds its own virtual environments first (only when pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
VENV_OPENAI2 := .venv-openai2
PY := $(VENV)/bin/python
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: demo test lint typecheck unit bench bench-smoke bench-peers bench-instructions images clean

$(VENV)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -e '.[all,dev,render]'
	touch $@

# OpenAI SDK 1.x/2.x speak httpx (not httpx2): their tests run in a second environment.
$(VENV_OPENAI2)/.ready: pyproject.toml
	$(PYTHON) -m venv $(VENV_OPENAI2)
	$(VENV_OPENAI2)/bin/python -m pip install $(PIP_FLAGS) -e '.[httpx,requests,dev]' 'openai>=2,<3'
	touch $@

demo: $(VENV)/.ready
	$(VENV)/bin/routing-otel demo

lint: $(VENV)/.ready
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.ready
	$(VENV)/bin/mypy

unit: $(VENV)/.ready $(VENV_OPENAI2)/.ready
	$(VENV)/bin/pytest
	$(VENV_OPENAI2)/bin/pytest -m openai_sdk -p no:cacheprovider tests/test_openai_sdk.py tests/emulator/test_openai_sdk.py

bench-smoke: $(VENV)/.ready
	$(PY) benchmarks/sse_observer.py --smoke
	$(PY) benchmarks/overhead.py --smoke
	$(PY) benchmarks/sdk_floor.py --smoke
	$(PY) benchmarks/peers.py --smoke
	$(PY) benchmarks/instructions.py --smoke

bench: $(VENV)/.ready
	$(PY) benchmarks/sse_observer.py
	$(PY) benchmarks/overhead.py
	$(PY) benchmarks/sdk_floor.py

# Redraw dashboards/img/*.png from a real Prometheus fed by real traffic (about 3 minutes;
# needs the Debian prometheus package). Each picture records its dashboard's hash.
images: $(VENV)/.ready
	$(PY) dashboards/generate.py
	$(PY) dashboards/render.py

# raw SDK, openai-v2 and routing-otel side by side (builds .venv-peers/ once; many minutes).
bench-peers: $(VENV)/.ready
	$(PY) benchmarks/peers.py --json benchmarks/peers-results.json

# The same contestants in instructions counted by valgrind: exact and repeatable (minutes).
bench-instructions: $(VENV)/.ready
	$(PY) benchmarks/instructions.py --json benchmarks/instructions-results.json

test: lint typecheck unit bench-smoke

clean:
	rm -rf $(VENV) $(VENV_OPENAI2) .venv-peers .mypy_cache .pytest_cache .ruff_cache
