# Tafel — the two promises of the README: `make run` and `make test`.
# These machines set GOTOOLCHAIN=local and ship Go 1.26.8, which has known
# standard-library advisories: build with the patched toolchain, fetched by the go command.
export GOTOOLCHAIN := go1.26.10
export GOFLAGS := -buildvcs=false
SHELL := /bin/bash
GO ?= go
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ADDR ?= 127.0.0.1:8080
DATA ?= ./data

.PHONY: testbin run test test-deps test-go test-frontend frontend build bench vet staticcheck fmt-check vulncheck

## run: build the frontend and start Tafel on the embedded store (no Redis needed).
run: frontend
	$(GO) run ./cmd/tafel --addr $(ADDR) --data $(DATA) --demo

## build: the tafel binary with the frontend embedded.
build: frontend
	CGO_ENABLED=0 $(GO) build -o bin/tafel ./cmd/tafel

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## frontend: build frontend/dist (embedded into the binary).
frontend: node_modules/.package-lock.json
	npm run build

## test-deps: install what the tests need when it is missing; build the real servers the tests
## start (Mailpit, the test OpenID Provider) from tools/ into .cache/testbin once.
test-deps: testbin
testbin:
	$(GO) run ./internal/testservers/cmd/testbin
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
	@command -v redis-sentinel >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel; }
	@command -v nginx >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light || $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; }
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## test: every test — Go (race detector), vet, staticcheck, format, vulnerabilities, frontend.
test: test-deps frontend fmt-check vet staticcheck test-go vulncheck test-frontend

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

## staticcheck: pinned; the go command fetches and builds it (v0.8.2 supports Go 1.26).
STATICCHECK_VERSION ?= v0.8.2
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

test-frontend:
	npm run check
	npm test

vulncheck:
	./scripts/vulncheck.sh

## bench: quick mode of scenarios P1–P7 (embedded store and Redis, with the plain-broadcast
## baseline), under 5 minutes; one JSON line per scenario; writes docs/bench/*-quick.*.
## bench-full: the full figures that docs/bench.md quotes (about an hour on 2 cores).
## bench-go: the Go micro-benchmarks. None of these is part of make test.
.PHONY: bench-full bench-go
bench: test-deps
	$(GO) run ./cmd/tafel-bench -mode quick -out docs/bench

bench-full: test-deps
	$(GO) run ./cmd/tafel-bench -mode full -out docs/bench

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...
