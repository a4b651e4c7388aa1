# sanilog: one binary, build/sanilog, and its tests.
#
#   make            build build/sanilog
#   make check      every test (unit, CLI golden files, tamper tests, the
#                   shared verification vectors)
#   make vectors    write tests/vectors again from tests/vectors/gen.c
#   make bench      measure and print the speed figures
#   make torture    the fault and load matrix against a real server (not in
#                   check: a few minutes, both CPUs)
#   make asan       the tests under address and undefined-behaviour sanitizers
#   make valgrind   the unit tests under valgrind
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
PKGS      = libsodium sqlite3 jansson libmicrohttpd libqrencode cairo pangocairo libpng zbar libcurl zlib
OPT      ?= -O2 -g
CFLAGS_BASE = -std=c17 -D_DEFAULT_SOURCE -Wall -Wextra -Wpedantic -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
	-pthread -Isrc $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
WERROR   ?= -Werror
CFLAGS   += $(OPT) $(CFLAGS_BASE) $(WERROR) $(EXTRA_CFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS  += $(EXTRA_LDFLAGS)

LIB_SRC  = $(wildcard src/core/*.c src/store/*.c src/web/*.c src/print/*.c src/net/*.c src/cli/*.c)
EMBED_FILES = $(sort $(wildcard templates/* assets/*))
EMBED_C  = $(BUILD)/gen/embedded.c
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/embedded.o
MAIN_OBJ = $(BUILD)/obj/src/main.o
LIB      = $(BUILD)/libsanilog.a
BIN      = $(BUILD)/sanilog

UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN = $(BUILD)/tools/bench
VECTORS_GEN = $(BUILD)/tests/vectors-gen

.PHONY: all check unit cli-tests web-tests tools-tests torture bench bench-deps asan valgrind demo deps format \
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

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BENCH_BIN): tools/bench.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(VECTORS_GEN): tests/vectors/gen.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

deps:
	@tools/deps.sh

check: deps
	@$(MAKE) --no-print-directory format-check vectors-check unit cli-tests web-tests tools-tests fuzz-smoke

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
	@if ! diff -r -x gen.c tests/vectors $(BUILD)/vectors >/dev/null; then \
		diff -r -x gen.c tests/vectors $(BUILD)/vectors | head -20; \
		echo "tests/vectors is not what tests/vectors/gen.c writes: make vectors" >&2; \
		exit 1; fi

unit: $(UNIT_BIN) $(BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $(RUNNER) $$t; done

cli-tests: $(BIN)
	@SANILOG=$(abspath $(BIN)) RUNNER="$(RUNNER)" tests/cli/run.sh

web-tests: $(BIN)
	@for t in $(sort $(wildcard tests/web/test_*.sh tests/print/test_*.sh tests/net/test_*.sh)); do \
		echo "== $$t"; SANILOG=$(abspath $(BIN)) RUNNER="$(RUNNER)" $$t || exit 1; done

tools-tests:
	@for t in $(sort $(wildcard tests/tools/test_*.sh)); do echo "== $$t"; $$t || exit 1; done

bench-deps:
	@tools/deps.sh --bench

bench: bench-deps $(BIN) $(BENCH_BIN)
	@SANILOG=$(abspath $(BIN)) tools/bench.sh $(abspath $(BENCH_BIN))

torture: bench-deps $(BIN)
	@SANILOG=$(abspath $(BIN)) tools/torture.sh

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" unit cli-tests web-tests

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=build-valgrind OPT="-O1 -g" \
		RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions=$(abspath tests/valgrind.supp)" unit cli-tests

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
	@tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_NAMES)

demo: deps $(BIN)
	@tools/demo.sh $(abspath $(BIN))

# Static analysis: cppcheck, then clang-tidy with .clang-tidy (which says
# what it checks and why it leaves out what it does), on LINT_SRC, LINT_JOBS
# files at a time; any finding fails.  A false positive is silenced where it
# is, with the reason beside it (cppcheck-suppress ID, NOLINTNEXTLINE(check)).
# clang-tidy compiles each file with CFLAGS, as the build does (-Itests for
# the unit tests, -Itests/fuzz for the fuzz harnesses).  cppcheck reads our
# headers, not the libraries': its manual advises so, and given them it
# stops at libpng's "#if CHAR_BIT != 8" (it has no <limits.h>) and at a
# syntax error in curl.h, leaving those files unchecked.  Its --library
# files tell it what those libraries' functions allocate, free and need;
# tools/cppcheck.cfg, <inttypes.h>'s macros and which of cmocka's calls do
# not return.  It checks C11 (it knows no C17, which only corrects C11) and
# leaves out readdirCalled, which asks for readdir_r, deprecated by glibc
# since 2.24 (readdir on a stream of one's own is thread-safe).
LINT_SRC  = $(sort $(wildcard src/*.c src/*/*.c tools/*.c tests/unit/*.c \
	tests/fuzz/*.c tests/fuzz/lib/*.c)) tests/vectors/gen.c
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

FORMAT_FILES = $(shell find src tests/unit tests/fuzz tests/vectors tools -name '*.[ch]')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sanilog

clean:
	rm -rf build build-asan build-valgrind $(FUZZ_BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
