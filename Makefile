# sanilog: one binary, build/sanilog, and its tests.
#
#   make            build build/sanilog
#   make check      every suite (format, vectors, unit, CLI golden files,
#                   web/print/net/witness servers and pages, tools, fuzz
#                   smoke), all of them even when one fails, then one closing
#                   line "N passed, N failed" (tests/lib/results.sh)
#   make vectors    write tests/vectors again from tests/vectors/gen.c
#   make bench      measure and print the speed figures
#   make torture    the fault and load matrix against a real server (not in
#                   check: a few minutes, both CPUs)
#   make asan       the tests under address and undefined-behaviour sanitizers
#   make valgrind   the unit and CLI tests under valgrind
#   make fuzz       every libFuzzer harness for FUZZ_SECONDS (default 60) each
#   make demo       a demo database with venues and documents
#   make deps       install the missing Debian packages (bench-deps: those
#                   wrk and nginx, for make bench)
#   make lint       cppcheck and clang-tidy on every C source (not in check:
#                   a few minutes; .ci/run runs it after check)
#   make format / format-check / install PREFIX=... / clean

PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
PKGS      = libsodium libcrypto sqlite3 jansson libmicrohttpd libqrencode cairo pangocairo libpng zbar libcurl zlib
OPT      ?= -O2 -g
CFLAGS_BASE = -std=c17 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
	-pthread -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
WERROR   ?= -Werror
CFLAGS   += $(OPT) $(CFLAGS_BASE) $(WERROR) $(EXTRA_CFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS  += $(EXTRA_LDFLAGS)

LIB_SRC  = $(wildcard src/base/*.c src/core/*.c src/store/*.c src/web/*.c src/print/*.c src/net/*.c src/witness/*.c src/publish/*.c src/cli/*.c)
EMBED_FILES = $(sort $(wildcard templates/* assets/* lang/*.txt))
EMBED_C  = $(BUILD)/gen/embedded.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
MAIN_OBJ = $(BUILD)/obj/src/main.o
LIB      = $(BUILD)/libsanilog.a
BIN      = $(BUILD)/sanilog

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# What the unit tests share (tests/unit/lib/testlog.h), linked into each.
UNIT_LIB_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/unit/lib/*.c))
BENCH_BIN = $(BUILD)/tools/bench
BENCH_WITNESS_BIN = $(BUILD)/tools/bench_witness
VECTORS_GEN = $(BUILD)/tests/vectors-gen
PAGE_DRIVER = $(BUILD)/tests/page_driver

.PHONY: all check unit cli-tests web-tests tools-tests test-programs torture bench bench-growth bench-deps asan valgrind demo deps format \
	format-check install clean fuzz fuzz-smoke fuzz-bin vectors vectors-check lint

all: $(BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $<

$(EMBED_C): $(BUILD)/tools/embed $(EMBED_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed $@ $(EMBED_FILES)

$(BUILD)/obj/gen/embedded.o: $(EMBED_C)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# WRAP_<test>: the linker's --wrap options of a unit test, for a failure
# that a test makes happen (test_web_owner: a page that cannot be made).
WRAP_test_web_owner = -Wl,--wrap=pages_owner

$(BUILD)/tests/%: tests/unit/%.c $(UNIT_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) $(WRAP_$*) -o $@ $< $(UNIT_LIB_OBJ) $(LIB) $(LDLIBS) -lcmocka

$(BENCH_BIN): tools/bench.c tools/bench_common.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The witness benchmark's load generator (tools/bench_witness.sh).
$(BENCH_WITNESS_BIN): tools/bench_witness.c tools/bench_common.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(VECTORS_GEN): tests/vectors/gen.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The web layer's rendering without a server, for tests/web (test_browser,
# test_browser_parity), which find it as $PAGE_DRIVER.
$(PAGE_DRIVER): tests/web/page_driver.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

deps:
	@tools/deps.sh

# The tests.  Every suite runs through tests/lib/results.sh, which appends
# its counts ("SUITE PASSED FAILED") to the file named by CHECK_RESULTS;
# the shell suites are written with tests/lib/test.sh and find what they
# run in TEST_ENV.
RESULTS  = tests/lib/results.sh
TEST_ENV = SANILOG=$(abspath $(BIN)) PAGE_DRIVER=$(abspath $(PAGE_DRIVER)) \
	BENCH=$(abspath $(BENCH_BIN)) \
	BENCH_WITNESS=$(abspath $(BENCH_WITNESS_BIN)) RUNNER="$(RUNNER)"
# $(call tally,DIR,MAKE ARGUMENTS): make -k ARGUMENTS (every suite runs,
# even after one failed) with the counts in DIR/check-results, then the
# closing line over them; fails when anything failed.
tally    = mkdir -p $(1) && : >$(1)/check-results; \
	CHECK_RESULTS=$(abspath $(1))/check-results \
	$(MAKE) -k --no-print-directory $(2); $(RESULTS) total $(1)/check-results $$?
# $(call suites,MODE,FILES[,PREFIX]): each of FILES through results.sh MODE
# (run: it counts its checks; cmocka: a cmocka binary), named by its path
# and run as PREFIX FILE; all of them, even after one failed.
suites   = rc=0; for t in $(2); do echo "== $$t"; \
	$(TEST_ENV) $(RESULTS) $(1) $$t $(3) $$t || rc=1; done; exit $$rc
SHELL_SUITES = $(sort $(wildcard tests/web/test_*.sh tests/print/test_*.sh \
	tests/net/test_*.sh tests/witness/test_*.sh))

check: deps
	@$(call tally,$(BUILD),format-check vectors-check unit cli-tests \
		web-tests tools-tests fuzz-smoke)

# What the shell suites run besides the binary (a suite run by hand says
# when one is missing).
test-programs: $(BIN) $(PAGE_DRIVER) $(BENCH_BIN) $(BENCH_WITNESS_BIN)

# The verification vectors (DESIGN.md "Test vectors"): tests/vectors/gen.c
# writes them; vectors-check writes them again beside and compares.  The C
# verifier runs them in tests/unit/test_vectors.c, verify.js in
# tests/web/test_vectors.sh.
vectors: $(VECTORS_GEN)
	@rm -rf tests/vectors/*/ tests/vectors/index.json
	@$(VECTORS_GEN) tests/vectors

vectors-check: $(VECTORS_GEN)
	@rm -rf $(BUILD)/vectors
	@$(VECTORS_GEN) $(BUILD)/vectors
	@$(RESULTS) run vectors-check sh -c 'diff -r -x gen.c tests/vectors \
		$(BUILD)/vectors >$(BUILD)/vectors.diff && exit 0; \
		head -20 $(BUILD)/vectors.diff; echo "tests/vectors is not what" \
		"tests/vectors/gen.c writes: make vectors" >&2; exit 1'

unit: $(UNIT_BIN) $(BIN)
	@$(call suites,cmocka,$(UNIT_BIN),$(RUNNER))

cli-tests: $(BIN)
	@$(call suites,run,tests/cli/run.sh)

web-tests: test-programs
	@$(call suites,run,$(SHELL_SUITES))

tools-tests: test-programs
	@$(call suites,run,$(sort $(wildcard tests/tools/test_*.sh)))

bench-deps:
	@tools/deps.sh --bench

bench: bench-deps $(BIN) $(BENCH_BIN) $(BENCH_WITNESS_BIN) $(PAGE_DRIVER)
	@SANILOG=$(abspath $(BIN)) tools/bench.sh $(abspath $(BENCH_BIN))

bench-growth: bench-deps $(BIN) $(BENCH_BIN)
	@SANILOG=$(abspath $(BIN)) tools/bench_growth.sh $(abspath $(BENCH_BIN))

torture: bench-deps $(BIN)
	@SANILOG=$(abspath $(BIN)) tools/torture.sh

ASAN_MAKE = BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	EXTRA_LDFLAGS="-fsanitize=address,undefined"
asan: deps
	@$(call tally,build-asan,$(ASAN_MAKE) unit cli-tests web-tests)

VALGRIND_MAKE = BUILD=build-valgrind OPT="-O1 -g" \
	RUNNER="valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --suppressions=$(abspath tests/valgrind.supp)"
valgrind: deps
	@$(call tally,build-valgrind,$(VALGRIND_MAKE) unit cli-tests)

# Fuzzing: a libFuzzer harness per parser of outside input (tests/fuzz),
# built with Debian's clang against the library built in $(FUZZ_BUILD) with
# the sanitizers; tools/fuzz.sh runs each on a copy of its seed corpus and
# keeps what crashes in tests/fuzz/crashes/<name>/.  fuzz-smoke (part of
# make check) runs each for FUZZ_SMOKE_SECONDS.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 1
FUZZ_NAMES   = $(sort $(basename $(notdir $(wildcard tests/fuzz/*.c))))
FUZZ_LIB_OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tests/fuzz/lib/*.c))
FUZZ_BIN     = $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
FUZZ_MAKE    = $(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
	OPT="-O1 -g -fno-omit-frame-pointer" \
	EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/fuzz -fsanitize=fuzzer,address,undefined \
		-o $@ $< $(FUZZ_LIB_OBJ) $(LIB) $(LDLIBS)

fuzz-bin: $(FUZZ_BIN)

.SECONDARY: $(FUZZ_LIB_OBJ)

fuzz: deps
	@$(FUZZ_MAKE) fuzz-bin
	@tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-smoke:
	@$(FUZZ_MAKE) fuzz-bin
	@$(RESULTS) each fuzz-smoke tools/fuzz.sh $(FUZZ_BUILD) \
		$(FUZZ_SMOKE_SECONDS) -- $(FUZZ_NAMES)

demo: deps $(BIN)
	@tools/demo.sh $(abspath $(BIN))

# Static analysis: cppcheck, then clang-tidy with .clang-tidy (which says
# what it checks and why it leaves out what it does), on LINT_SRC, LINT_JOBS
# files at a time; any finding fails.  A false positive is silenced where it
# is, with the reason beside it (cppcheck-suppress ID, NOLINTNEXTLINE(check)).
# clang-tidy compiles each file with CFLAGS, as the build does (-Itests for
# the unit tests and their library, -Itests/fuzz for the fuzz harnesses).  cppcheck reads our
# headers, not the libraries': its manual advises so, and given them it
# stops at libpng's "#if CHAR_BIT != 8" (it has no <limits.h>) and at a
# syntax error in curl.h, leaving those files unchecked.  Its --library
# files tell it what those libraries' functions allocate, free and need;
# tools/cppcheck.cfg, <inttypes.h>'s macros and which of cmocka's calls do
# not return.  It checks C11 (it knows no C17, which only corrects C11) and
# leaves out readdirCalled, which asks for readdir_r, deprecated by glibc
# since 2.24 (readdir on a stream of one's own is thread-safe).
LINT_SRC  = $(sort $(wildcard src/*.c src/*/*.c tools/*.c tests/unit/*.c \
	tests/unit/lib/*.c tests/fuzz/*.c tests/fuzz/lib/*.c tests/web/*.c)) \
	tests/vectors/gen.c
LINT_JOBS ?= 2
CPPCHECK  = cppcheck --quiet -j$(LINT_JOBS) --std=c11 --error-exitcode=1 \
	--enable=warning,style,performance,portability --inline-suppr \
	--library=posix,gnu,cairo,libcurl,sqlite3,zlib,tools/cppcheck.cfg \
	--suppress=missingIncludeSystem --suppress=readdirCalled \
	-D_DEFAULT_SOURCE -Isrc -Itests -Itests/fuzz --template=gcc

lint: deps
	@rc=0; echo "cppcheck: $(words $(LINT_SRC)) files"; \
	$(CPPCHECK) $(LINT_SRC) || rc=1; \
	echo "clang-tidy: $(words $(LINT_SRC)) files, $(LINT_JOBS) at a time"; \
	printf '%s\n' $(LINT_SRC) | LINT_CFLAGS='$(CFLAGS)' xargs -n1 -P$(LINT_JOBS) \
		sh -c 'case $$1 in tests/unit/*) x=-Itests ;; tests/fuzz/*) x=-Itests/fuzz ;; *) x= ;; esac; \
		out=$$(clang-tidy --quiet "$$1" -- $$LINT_CFLAGS $$x 2>&1); r=$$?; \
		printf "%s\n" "$$out" | grep -v "^[0-9]* warnings\? generated\.$$" | grep . ; exit $$r' \
		lint-tidy || rc=1; \
	if [ $$rc = 0 ]; then echo "lint: no findings"; else echo "lint: findings above" >&2; fi; \
	exit $$rc

FORMAT_FILES = $(shell find src tests/unit tests/fuzz tests/vectors tests/web tools \
	-name node_modules -prune -o -name '*.[ch]' -print)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@$(RESULTS) files format-check clang-format --dry-run --Werror -- \
		$(FORMAT_FILES)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sanilog

clean:
	rm -rf build build-asan build-valgrind $(FUZZ_BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
