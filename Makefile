# Every target installs what it needs from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/content.db
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install test serve dev load check schema bench fuzz clean assets client-deps test-clients browser \
	docs docs-serve varnish cache-tier

# The venv is rebuilt whenever pyproject.toml changes.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,docs]'
	touch $@

install: $(BIN)/.installed

load: install
	$(BIN)/content-api load content --db $(DB)

check: install
	$(BIN)/content-api check content

test: install assets client-deps browser varnish
	$(BIN)/python -m pytest -q

# Debian's Chromium and ChromeDriver for the browser tests (and a CJK font for
# legible screenshots), and curl for the docs' shell examples; installed only when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		&& command -v curl >/dev/null \
		&& [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || { \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -qq -o DPkg::Lock::Timeout=300 chromium chromium-driver fonts-wqy-microhei curl; }

# Varnish 7 and its xkey vmod (Debian: varnish, varnish-modules) for the cache
# tier and its tests (tests/scale), installed only when missing.
varnish:
	@command -v varnishd >/dev/null && dpkg -s varnish-modules >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -qq -o DPkg::Lock::Timeout=300 varnish varnish-modules; }

# GraphiQL's UMD assets (React, GraphiQL, explorer plugin), installed from the
# committed lockfile and served offline by the app; never committed.
GRAPHIQL_DIR := graphiql
$(GRAPHIQL_DIR)/node_modules/.package-lock.json: $(GRAPHIQL_DIR)/package-lock.json
	cd $(GRAPHIQL_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(GRAPHIQL_DIR)/node_modules/.package-lock.json

# Client generators: GraphQL Code Generator (npm lockfile) and ariadne-codegen,
# which gets its own venv because it pins graphql-core < 3.3.
TS_CLIENT_DIR := examples/typescript
PY_CLIENT_DIR := examples/python
$(TS_CLIENT_DIR)/node_modules/.package-lock.json: $(TS_CLIENT_DIR)/package-lock.json
	cd $(TS_CLIENT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(PY_CLIENT_DIR)/.venv/.installed: $(PY_CLIENT_DIR)/requirements.txt
	$(PYTHON) -m venv $(PY_CLIENT_DIR)/.venv
	$(PY_CLIENT_DIR)/.venv/bin/python -m pip install --quiet -r $(PY_CLIENT_DIR)/requirements.txt
	touch $@

# graphql-http's GraphQL-over-HTTP audit, run against a live server by tests/dx.
AUDIT_DIR := tests/dx/audit
$(AUDIT_DIR)/node_modules/.package-lock.json: $(AUDIT_DIR)/package-lock.json
	cd $(AUDIT_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Apollo Client 4 example: installed from its lockfile, bundled for the browser by esbuild.
APOLLO_DIR := examples/apollo
$(APOLLO_DIR)/dist/apollo-browser.js: $(APOLLO_DIR)/package-lock.json $(wildcard $(APOLLO_DIR)/src/*.js)
	cd $(APOLLO_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

# relay-compiler and relay-runtime (tests/dx/test_relay.py runs the compiler).
RELAY_DIR := examples/relay
$(RELAY_DIR)/node_modules/.package-lock.json: $(RELAY_DIR)/package-lock.json
	cd $(RELAY_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client-deps: $(TS_CLIENT_DIR)/node_modules/.package-lock.json $(PY_CLIENT_DIR)/.venv/.installed \
	$(AUDIT_DIR)/node_modules/.package-lock.json $(APOLLO_DIR)/dist/apollo-browser.js \
	$(RELAY_DIR)/node_modules/.package-lock.json

# Developer-experience suites only: GraphiQL and the web example in headless
# Chromium, generated TS/Python clients against a live server, schema-diff.
# (`make test` runs these too, in its single pytest run.)
test-clients: install assets client-deps
	$(BIN)/python -m pytest -q tests/dx

serve: load assets
	$(BIN)/content-api serve --db $(DB) --host $(HOST) --port $(PORT)

# Live reload for authors: edits under content/ are reloaded and swapped in.
dev: load assets
	$(BIN)/content-api serve --db $(DB) --host $(HOST) --port $(PORT) --watch content

# The scale-out path on loopback: Varnish on $(CACHE_PORT) in front of one
# `serve` replica per port in REPLICA_PORTS, each with its own copy of $(DB).
# Ctrl-C stops them all. Publishing: docs/operating/cache-tier.md.
CACHE_PORT ?= 8090
REPLICA_PORTS ?= 8001 8002
TIER_CACHE_CONTROL ?= public, max-age=60, stale-while-revalidate=30, stale-if-error=86400

cache-tier: load varnish
	@pids=""; trap 'kill $$pids 2>/dev/null; wait' EXIT INT TERM; n=0; \
	for port in $(REPLICA_PORTS); do \
		n=$$((n + 1)); cp $(DB) data/replica-$$n.db.new && mv data/replica-$$n.db.new data/replica-$$n.db; \
		CONTENT_API_CACHE_CONTROL="$(TIER_CACHE_CONTROL)" $(BIN)/content-api serve \
			--db data/replica-$$n.db --host 127.0.0.1 --port $$port --log-level warning & \
		pids="$$pids $$!"; \
	done; \
	echo "cache tier: http://127.0.0.1:$(CACHE_PORT)/graphql -> replicas on $(REPLICA_PORTS)"; \
	deploy/varnish/run $(CACHE_PORT) $(REPLICA_PORTS)

schema: install
	$(BIN)/content-api export-schema > schema.graphql

# The documentation site (mkdocs.yml): built into site/ with --strict, as make test
# does; docs-serve rebuilds on every change of docs/ or of what the reference reads.
DOCS_PORT ?= 8001
docs: install
	$(BIN)/mkdocs build --strict

docs-serve: install
	$(BIN)/mkdocs serve --strict --dev-addr $(HOST):$(DOCS_PORT)

# Long property-based and schema fuzzing runs (make test runs short ones).
fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/loader/test_fuzz.py tests/loader/test_variants.py tests/api/test_compiled.py \
		tests/api/test_compiled_clients.py \
		tests/security/test_fuzz_api.py tests/security/test_html_fuzz.py

# Benchmarks, not part of `make test`: `make bench` (1,000 articles, a few
# minutes) or `make bench N=10000`. Installs wrk (Debian) and the
# datasette-graphql peer's own venv (pinned in bench/peer-requirements.txt).
N ?= 1000
BENCH_DURATION ?= 5
PEER_VENV := bench/out/peer-venv

$(PEER_VENV)/.installed: bench/peer-requirements.txt
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet -r bench/peer-requirements.txt
	touch $@

bench: install $(PEER_VENV)/.installed varnish
	command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq -o DPkg::Lock::Timeout=300 wrk; }
	$(BIN)/python -m bench --count $(N) --duration $(BENCH_DURATION)

clean:
	rm -rf $(VENV) data build site .pytest_cache
