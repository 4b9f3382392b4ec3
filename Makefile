# mbmsct — conformance test suite for 3GPP MBMS security key updates.
# Plain Makefile: every source is listed. `make help` lists the targets.

CC       ?= cc
CLANG    ?= clang
BUILD    ?= build
CORE_PKGS = lua5.4 libcrypto libpcap cunit libxml-2.0
# The probe also covers the test-only peers (libcurl, libmicrohttpd).
PKGS      = $(CORE_PKGS) libcurl libmicrohttpd
OPT      ?= -O2 -g
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
CPPFLAGS += -D_DEFAULT_SOURCE -Iharness
CFLAGS   += -std=c11 $(OPT) $(WARN) $(SAN)
PKG_CFLAGS = $(shell pkg-config --cflags $(CORE_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lhttp_parser
# libcurl and libmicrohttpd are known-good HTTP/Digest peers for the tests only.
TEST_LIBS  = $(shell pkg-config --libs libcurl libmicrohttpd 2>/dev/null) -pthread
LDFLAGS  += $(SAN)

# --- harness sources (one noun per module; bindings in l_*.c) -------------------------------
CORE_SRCS  = harness/err.c harness/cursor.c harness/builder.c harness/hex.c
CORE_SRCS += harness/mikey.c harness/mikey_rules.c harness/protect.c
# crypto module
CORE_SRCS += harness/crypto.c
# capture module
CORE_SRCS += harness/pkt.c harness/capture.c harness/capture_live.c harness/mcast.c
# network module
CORE_SRCS += harness/net.c harness/net_udp.c harness/net_tcp.c
# audit scanner (TCP reassembly, capture to events)
CORE_SRCS += harness/tcpflow.c harness/scan.c harness/scan_tcp.c
# protocol modules
CORE_SRCS += harness/http.c harness/http_write.c harness/digest.c harness/digest_parse.c
CORE_SRCS += harness/xml.c harness/xml_build.c

LUA_SRCS   = harness/l_mikey.c harness/l_hex.c harness/lua_env.c
# crypto binding
LUA_SRCS  += harness/l_crypto.c
# capture binding
LUA_SRCS  += harness/l_capture.c
# audit scanner binding
LUA_SRCS  += harness/l_scan.c
# network binding
LUA_SRCS  += harness/l_net.c harness/l_net_wait.c harness/l_clock.c
# protocol bindings
LUA_SRCS  += harness/l_http.c harness/l_digest.c harness/l_xml.c

MAIN_SRCS  = harness/main.c

# --- unit tests: harness/tests/test_<name>.c, each exporting test_<name>_register() --------
TESTS      = cursor builder hex mikey protect lua
# crypto tests
TESTS     += crypto kdf oracle_openssl
# capture tests
TESTS     += pkt capture oracle_tshark tcpflow scan capture_live mcast
# network tests
TESTS     += net net_udp net_tcp xml xml_build http digest digest_parse digest_peer

TEST_SRCS  = harness/tests/run-tests.c harness/tests/testutil.c harness/tests/testnet.c \
	     harness/tests/testxml.c harness/tests/testdigest.c \
	     $(patsubst %,harness/tests/test_%.c,$(TESTS))

# Reference implementations (reference/*/build.mk add to these; see reference/README.md).
REF_PROGS     =
REF_TEST_BINS =

LIB_OBJS   = $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRCS) $(LUA_SRCS))
MAIN_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(MAIN_SRCS))
TEST_OBJS  = $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRCS))
LIB        = $(BUILD)/libmbms.a
MBMSCT     = $(BUILD)/mbmsct
TESTBIN    = $(BUILD)/run-tests
DEPS_STAMP = build/.deps-ok

# Each reference/*/build.mk adds its programs to REF_PROGS and its test runners to
# REF_TEST_BINS, linking $(LIB) for the MIKEY codec and crypto only.
-include reference/bmsc/build.mk reference/ue/build.mk

.PHONY: all deps check unit asan fuzz fuzz-run bench run clean help decode-test faults interop \
	replay-test audit-test

all: $(MBMSCT) $(REF_PROGS)

help:
	@echo "make            build $(MBMSCT)"
	@echo "make run        set up, build, run the full campaign (writes out/junit.xml)"
	@echo "make check      build and run every test (unit, sanitizers, oracles, fuzz)"
	@echo "make unit       unit tests only (normal build)"
	@echo "make asan       unit tests under AddressSanitizer + UBSan"
	@echo "make fuzz       build the libFuzzer targets; make fuzz-run FUZZ_SECONDS=N runs each"
	@echo "make faults     fault matrix against the reference implementations (RUNS=N)"
	@echo "make replay-test  mbmsct replay end to end against the reference UE and BM-SC"
	@echo "make audit-test   mbmsct audit over vectors/captures (conformant clean, faults named)"
	@echo "make bench      benchmarks (figures printed, nothing asserted)"
	@echo "make clean      remove build/ and out/"

# The package probe: scripts/setup runs only when pkg-config cannot find a dependency.
$(DEPS_STAMP):
	@mkdir -p build
	@if ! pkg-config --exists $(PKGS) || [ ! -f /usr/include/http_parser.h ] \
	    || ! command -v tshark >/dev/null || ! command -v xmllint >/dev/null \
	    || ! command -v $(CLANG) >/dev/null; then scripts/setup; fi
	@touch $@

deps: $(DEPS_STAMP)

$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(MBMSCT): $(MAIN_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(MAIN_OBJS) $(LIB) $(PKG_LIBS) -lm

# The test registry is generated from TESTS so that adding a test file is one Makefile word.
$(BUILD)/harness/tests/registry.h: Makefile
	@mkdir -p $(dir $@)
	@for t in $(TESTS); do echo "T($$t)"; done > $@

$(BUILD)/harness/tests/run-tests.o: CPPFLAGS += -I$(BUILD)/harness/tests
$(BUILD)/harness/tests/run-tests.o: $(BUILD)/harness/tests/registry.h

$(TESTBIN): $(TEST_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJS) $(LIB) $(PKG_LIBS) $(TEST_LIBS) -lm

unit: $(TESTBIN) $(MBMSCT) $(REF_PROGS) $(REF_TEST_BINS)
	MBMSCT=$(MBMSCT) $(TESTBIN)
	@for t in $(REF_TEST_BINS); do echo "== $$t"; $$t || exit 1; done

decode-test: $(MBMSCT)
	MBMSCT=$(MBMSCT) scripts/test-decode

interop: $(MBMSCT) $(REF_PROGS)
	$(MBMSCT) lua scripts/interop.lua

# mbmsct replay against the reference UE and BM-SC (verbatim, --fresh, faults, bad input).
replay-test: $(MBMSCT) $(REF_PROGS)
	MBMSCT=$(MBMSCT) scripts/test-replay

# mbmsct audit over vectors/captures/: conformant captures clean, every fault named.
audit-test: $(MBMSCT)
	$(MBMSCT) lua scripts/test-audit.lua

asan:
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" unit decode-test audit-test

# --- fuzzing (clang libFuzzer) -------------------------------------------------------------
# Two targets, each run FUZZ_SECONDS: the MIKEY decoder and validator (seeded with the message
# vectors) and the audit's capture scanner (seeded with vectors/captures/).
FUZZ_SECONDS ?= 45
FUZZ_BIN      = build/fuzz/fuzz_mikey
FUZZ_SRCS     = harness/err.c harness/cursor.c harness/builder.c harness/mikey.c \
		harness/mikey_rules.c fuzz/fuzz_mikey.c
FUZZ_SCAN_BIN  = build/fuzz/fuzz_scan
FUZZ_SCAN_SRCS = harness/err.c harness/cursor.c harness/builder.c harness/mikey.c \
		 harness/mikey_rules.c harness/crypto.c harness/protect.c harness/pkt.c \
		 harness/capture.c harness/mcast.c harness/tcpflow.c harness/scan.c harness/scan_tcp.c \
		 harness/http.c harness/http_write.c fuzz/fuzz_scan.c

fuzz: $(FUZZ_BIN) $(FUZZ_SCAN_BIN)

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard harness/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -std=c11 -g -O1 -Wall -Wextra -Werror \
	    -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_SRCS)

$(FUZZ_SCAN_BIN): $(FUZZ_SCAN_SRCS) $(wildcard harness/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -std=c11 -g -O1 -Wall -Wextra -Werror \
	    -fsanitize=fuzzer,address,undefined -o $@ $(FUZZ_SCAN_SRCS) -lcrypto -lpcap -lhttp_parser

fuzz-run: $(FUZZ_BIN) $(FUZZ_SCAN_BIN)
	scripts/fuzz-run $(FUZZ_BIN) $(FUZZ_SECONDS) mikey
	scripts/fuzz-run $(FUZZ_SCAN_BIN) $(FUZZ_SECONDS) captures

# --- the two commands -----------------------------------------------------------------------
check: $(DEPS_STAMP)
	$(MAKE) unit
	$(MAKE) decode-test
	$(MAKE) interop
	$(MAKE) replay-test
	$(MAKE) audit-test
	$(MAKE) faults
	$(MAKE) asan
	$(MAKE) fuzz-run

run: $(MBMSCT) $(REF_PROGS)
	scripts/run-campaign $(MBMSCT)

# The fault matrix: conformant references pass, every fault is caught (RUNS=5 for stability).
RUNS ?= 1
faults: $(MBMSCT) $(REF_PROGS)
	$(MBMSCT) lua scripts/fault-matrix.lua --runs $(RUNS)

# Benchmarks print figures; they are not pass/fail tests. Each bench/*.sh is one benchmark.
bench: $(MBMSCT) $(REF_PROGS)
	@set -e; for b in bench/*.sh; do echo "== $$b"; MBMSCT=$(MBMSCT) $$b; done

clean:
	rm -rf build out

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(TEST_OBJS:.o=.d)
