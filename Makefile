# secapi-hetzner: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test test-bare lint unit contract integration fuzz bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make run: serve on 127.0.0.1:8080 (HOST, PORT, SECA_DATA_DIR override); simulator unless HCLOUD_TOKEN (or HCLOUD_ENDPOINT) is set
run: install
	SECA_LOG_FORMAT=$${SECA_LOG_FORMAT:-text} $(BIN)/secapi-hetzner serve --dev

## make test: lint, then every test suite (unit, contract incl. Schemathesis, simulator, integration, failure)
test: install lint
	$(BIN)/pytest

## make test-bare: what a user's clone (no ../shared beside it) sees: the whole suite collected with the folder
## hidden, and every test that depends on the reference data run (each skips with its reason; the others read
## nothing of it and ran in make test: tests/support/bare.py). CI runs this after make test
BARE := SECA_SHARED_DIR=$(CURDIR)/.data/no-shared
test-bare: install
	$(BARE) $(BIN)/pytest -q --collect-only > /dev/null
	$(BARE) SECA_BARE_SELECTION=1 $(BIN)/pytest -q -rs

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest tests/unit

contract: install
	$(BIN)/pytest tests/contract

integration: install
	$(BIN)/pytest tests/integration

## make fuzz: a longer Schemathesis run with random examples (make test uses fixed ones); turn what it finds
## into regression tests
fuzz: install
	SECA_FUZZ_RANDOM=1 SECA_FUZZ_EXAMPLES=$${SECA_FUZZ_EXAMPLES:-50} $(BIN)/pytest tests/contract/test_fuzz.py \
		tests/contract/test_fuzz_stateful.py -q

## make bench: figures into .data/bench-results/; `SECA_BENCH_RECORD=1 make bench` records them in bench/results/
bench: install
	$(BIN)/python -m bench.catalog
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.hetzner_calls
	$(BIN)/python -m bench.network_calls
	$(BIN)/python -m bench.reads

## make docs: regenerate docs/capabilities.md from the code
docs: install
	$(BIN)/secapi-hetzner capabilities > docs/capabilities.md

clean:
	rm -rf $(VENV) .data .hypothesis .schemathesis .mypy_cache .ruff_cache
