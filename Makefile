# Cordon: the quick start is `make run` and `make test` (as root on Debian 12 / Ubuntu).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SHARED    ?= $(abspath ../shared)
STATE_DIR ?= /var/lib/cordon
RULES     ?= rules
BENCH_N   ?= 1000000
CACHE     := .cache

.PHONY: all build release run test check sigma-compat bench detect-report anomaly-report fuzz deps journald clean \
        install uninstall deb verify-unit system-test demo chaos sanitize

all: build

deps:
	@scripts/deps.sh build

journald:
	@scripts/journald.sh

build: deps
	swift build

## release: the binary `make install` and `make deb` ship; the Swift runtime is linked in
## (--static-swift-stdlib), so it needs only system libraries (ldd: libsystemd, libpcre2, libxml2, libc …).
## lld, because GNU ld warns about mktemp inside the static Foundation.
release: deps
	swift build -c release --static-swift-stdlib -Xswiftc -use-ld=lld

## run: the daemon in the foreground on the local journal with the shipped rules
run: release journald
	.build/release/cordon run --config config/cordon.yaml --rules $(RULES) --state-dir $(STATE_DIR)

## test: every test, against a real journald
test:
	@scripts/deps.sh test
	@scripts/journald.sh
	swift build --build-tests
	swift test --skip-build

## sanitize: every test under AddressSanitizer, then ThreadSanitizer (SANITIZERS=address for one), each built in
## its own scratch path (.build/asan, .build/tsan) so the normal build stays; the integration tests run the
## sanitized cordon beside the test bundle. CORDON_SANITIZER tells tests what runs them; scripts/lsan.supp and
## scripts/tsan.supp name the toolchain's own leaks (Foundation) and races TSan cannot see are locked (Mutex), each with why.
SANITIZERS ?= address thread
sanitize:
	@scripts/deps.sh test
	@scripts/journald.sh
	@for sanitizer in $(SANITIZERS); do \
	    case $$sanitizer in address) scratch=.build/asan ;; thread) scratch=.build/tsan ;; \
	        *) echo "make sanitize: unknown sanitizer '$$sanitizer'; use address or thread" >&2; exit 64 ;; esac; \
	    echo "== $$sanitizer"; \
	    swift build --build-tests --sanitize=$$sanitizer --scratch-path $$scratch || exit 1; \
	    CORDON_SANITIZER=$$sanitizer LSAN_OPTIONS="suppressions=$(CURDIR)/scripts/lsan.supp$${LSAN_OPTIONS:+:$$LSAN_OPTIONS}" \
	        TSAN_OPTIONS="suppressions=$(CURDIR)/scripts/tsan.supp$${TSAN_OPTIONS:+:$$TSAN_OPTIONS}" \
	        swift test --skip-build --disable-xctest --sanitize=$$sanitizer --scratch-path $$scratch || exit 1; \
	done

## check: validate the shipped rules and run their tests (X.test.yml beside X.yml); every rule needs a case that must match and one that must not
check: release
	.build/release/cordon check $(RULES)
	.build/release/cordon test --strict $(RULES)

## sigma-compat: load every SigmaHQ Linux rule in ../shared/sigma and report what loads, what is
## evaluated and why the rest is not; then the unsupported/deprecated folders, which must be rejected
SIGMA := $(SHARED)/sigma/rules
sigma-compat: release
	.build/release/cordon check --summary $(RULES)/logsources.yml $(SIGMA)/rules $(SIGMA)/rules-threat-hunting $(SIGMA)/rules-emerging-threats
	@echo
	.build/release/cordon check --summary $(RULES)/logsources.yml $(SIGMA)/unsupported $(SIGMA)/deprecated

## bench: replay generated journals with the shipped, SigmaHQ and 10/100/1,000 synthetic rules, next to libsystemd's own read loop; then the live daemon's alert → hook latency (BENCH_ONLY=hooks: only that) and live tail efficiency: idle wake-ups, entry → alert latency at 10,000 entries/s, a 100,000-entry burst (BENCH_ONLY=live: only that)
bench: release
	@scripts/deps.sh bench
	@scripts/bench.sh "$(SHARED)" "$(CACHE)" "$(BENCH_N)" "$(RULES)"

## detect-report: detection quality: replay the scenario corpus (scripts/scenarios.py: gen_journal's background with scripted
## ATT&CK steps, cached in .cache/scenarios) and gen_journal's 1M journal; recall per rule name, unexpected alerts, benign rates
detect-report: release
	@scripts/deps.sh bench
	@scripts/detect-report.sh "$(SHARED)" "$(CACHE)" "$(RULES)" "$(BENCH_N)"

## anomaly-report: learned anomaly detection: `cordon learn` on 7 benign days of the health host (scripts/anomaly-days.py on
## gen_journal, cached in .cache/anomaly), `cordon replay --model` of the 8th day benign and with intrusions and injected
## novel behaviours; per behaviour whether an anomaly alert fired; fails unless all are caught and the benign day has < 5
anomaly-report: release
	@scripts/anomaly-report.sh "$(SHARED)" "$(CACHE)" "$(RULES)"

## fuzz: libFuzzer and AddressSanitizer on the rule loader, the field parsers and the whole pipeline (scripts/fuzz.sh),
## each FUZZ_SECONDS from its seed corpus (Tests/Fuzz/Corpus) plus earlier finds (.cache/fuzz); prints executions and
## exec/s per target; fails on a crash, naming the input (FUZZ_SECONDS=30 for a quick run, FUZZ_TARGETS to pick)
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= rules parsers pipeline
fuzz: deps
	@scripts/fuzz.sh "$(CACHE)" "$(FUZZ_SECONDS)" $(FUZZ_TARGETS)

## install: binary, unit, message catalog, hooks, docs; /etc/cordon/cordon.yaml and /etc/cordon/rules
## only if absent (else beside them as .dist). DESTDIR for staging; PREFIX=/usr for packages.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
HOOKDIR    ?= $(PREFIX)/lib/cordon/hooks
DOCDIR     ?= $(PREFIX)/share/doc/cordon
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,/etc/systemd/system)
CONFDIR    ?= /etc/cordon
HOOKS      := block-source isolate-nftables lock-account stop-unit webhook
install: release
	@DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" HOOKDIR="$(HOOKDIR)" DOCDIR="$(DOCDIR)" CATALOGDIR="$(CATALOGDIR)" \
	    UNITDIR="$(UNITDIR)" CONFDIR="$(CONFDIR)" HOOKS="$(HOOKS)" scripts/install.sh install

## uninstall: what install put there, but for /etc/cordon and /var/lib/cordon (configuration and state)
uninstall:
	@DESTDIR="$(DESTDIR)" BINDIR="$(BINDIR)" HOOKDIR="$(HOOKDIR)" DOCDIR="$(DOCDIR)" CATALOGDIR="$(CATALOGDIR)" \
	    UNITDIR="$(UNITDIR)" CONFDIR="$(CONFDIR)" HOOKS="$(HOOKS)" scripts/install.sh uninstall

## deb: a Debian package (dpkg-deb, no debhelper) in dist/
deb: release
	@scripts/deb.sh dist

## verify-unit: systemd-analyze verify and security of systemd/cordon.service (against the built binary)
verify-unit: release
	@scripts/verify-unit.sh .build/release/cordon

## system-test: the .deb in a container with systemd as PID 1: start, alert, catalog, reload, stop,
## watchdog, hooks under the hardened unit (scripts/system-test.sh)
system-test: deb
	@scripts/deps.sh test
	@scripts/system-test.sh dist/cordon_$$(scripts/deb.sh version)_$$(dpkg --print-architecture).deb

## demo: an SSH intrusion (brute force, login, sudo root shell, auditd stopped) on a host in network
## namespaces, alerted and contained by Cordon in enforce mode; everything torn down at the end
## (scripts/demo.sh; root; README.md "Demo")
demo: release
	@scripts/deps.sh demo
	@scripts/journald.sh
	@RULES="$(RULES)" scripts/demo.sh

## chaos: a soak of the release binary against a real journald in a container (scripts/chaos.sh; root): a seeded
## attack/benign stream at CHAOS_RATE entries/s for CHAOS_SECONDS while Cordon is SIGKILLed, stopped, restarted and
## reloaded and its journal rotated and vacuumed; then replay over every journal file must equal the live alerts and
## the hooks must have run once per expected action: nothing missing, nothing twice (about CHAOS_SECONDS + 1 min)
CHAOS_SECONDS ?= 600
CHAOS_SEED    ?= 1
CHAOS_RATE    ?= 2000
chaos: release
	@scripts/deps.sh test
	@CHAOS_SECONDS="$(CHAOS_SECONDS)" CHAOS_SEED="$(CHAOS_SEED)" CHAOS_RATE="$(CHAOS_RATE)" scripts/chaos.sh .build/release/cordon

clean:
	rm -rf .build $(CACHE) dist
