# The two promises: `make demo` runs the app with a demo clinic; `make test` passes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast fuzz lint bench bench-scale venv clean serve

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/dryneedling demo

serve: $(STAMP)
	$(BIN)/dryneedling serve

test: $(STAMP)
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not browser"

# The JSON API fuzzed against its own OpenAPI schema (issue 13): also part of `make test`.
# A fixed hash seed makes it send exactly the same requests every run (see the test's docstring).
fuzz: $(STAMP)
	PYTHONHASHSEED=0 $(BIN)/pytest -q tests/api/test_api_schema_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	DRYNEEDLING_TEST=1 $(BIN)/mypy

# Pages on a big kept clinic (100,000 patients, BENCH_SCALE_DIR) beside a 400-patient one (issue 14);
# on PostgreSQL: DATABASE_URL=postgres://... make bench. See bench/run.py.
bench: $(STAMP)
	$(BIN)/python bench/run.py

# The analytics at 100,000 patients (issue 12): seeds once (minutes), kept for later runs.
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py

# Record-a-point throughput (issue 14): 32 clients against gunicorn with 3 workers; DATABASE_URL for PostgreSQL.
.PHONY: bench-writes
bench-writes: $(STAMP)
	$(BIN)/python bench/writes.py

clean:
	rm -rf $(VENV) var .pytest_cache
