# Cordon: the quick start is `make run` and `make test` (as root on Debian 12 / Ubuntu).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SHARED    ?= $(abspath ../shared)
STATE_DIR ?= /var/lib/cordon
RULES     ?= rules
BENCH_N   ?= 1000000
CACHE     := .cache

.PHONY: all build release run test check sigma-compat bench deps journald clean

all: build

deps:
	@scripts/deps.sh build

journald:
	@scripts/journald.sh

build: deps
	swift build

release: deps
	swift build -c release

## run: the daemon in the foreground on the local journal with the shipped rules
run: release journald
	.build/release/cordon run --config config/cordon.yaml --rules $(RULES) --state-dir $(STATE_DIR)

## test: every test, against a real journald
test:
	@scripts/deps.sh test
	@scripts/journald.sh
	swift build --build-tests
	swift test --skip-build

## check: validate the shipped rules and run their tests (X.test.yml beside X.yml)
check: release
	.build/release/cordon check $(RULES)
	.build/release/cordon test $(RULES)

## sigma-compat: load every SigmaHQ Linux rule in ../shared/sigma and report what loads, what is
## evaluated and why the rest is not; then the unsupported/deprecated folders, which must be rejected
SIGMA := $(SHARED)/sigma/rules
sigma-compat: release
	.build/release/cordon check --summary $(RULES)/logsources.yml $(SIGMA)/rules $(SIGMA)/rules-threat-hunting $(SIGMA)/rules-emerging-threats
	@echo
	.build/release/cordon check --summary $(RULES)/logsources.yml $(SIGMA)/unsupported $(SIGMA)/deprecated

## bench: replay generated journals with the shipped, SigmaHQ and 10/100/1,000 synthetic rules, next to libsystemd's own read loop; then the live daemon's alert → hook latency (BENCH_ONLY=hooks: only that)
bench: release
	@scripts/deps.sh bench
	@scripts/bench.sh "$(SHARED)" "$(CACHE)" "$(BENCH_N)" "$(RULES)"

clean:
	rm -rf .build $(CACHE)
