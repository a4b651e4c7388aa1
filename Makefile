# sanilog: one binary, build/sanilog, and its tests.
#
#   make            build build/sanilog
#   make check      every test (unit, CLI golden files, tamper tests)
#   make bench      measure and print the speed figures
#   make asan       the tests under address and undefined-behaviour sanitizers
#   make valgrind   the unit tests under valgrind
#   make demo       a demo database with venues and documents
#   make deps       install the missing Debian packages (bench-deps: those
#                   wrk and nginx, for make bench)
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

.PHONY: all check unit cli-tests web-tests bench bench-deps asan valgrind demo deps format \
	format-check install clean

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

deps:
	@tools/deps.sh

check: deps
	@$(MAKE) --no-print-directory format-check unit cli-tests web-tests

unit: $(UNIT_BIN) $(BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $(RUNNER) $$t; done

cli-tests: $(BIN)
	@SANILOG=$(abspath $(BIN)) RUNNER="$(RUNNER)" tests/cli/run.sh

web-tests: $(BIN)
	@for t in $(sort $(wildcard tests/web/test_*.sh tests/print/test_*.sh tests/net/test_*.sh)); do \
		echo "== $$t"; SANILOG=$(abspath $(BIN)) RUNNER="$(RUNNER)" $$t || exit 1; done

bench-deps:
	@tools/deps.sh --bench

bench: bench-deps $(BIN) $(BENCH_BIN)
	@SANILOG=$(abspath $(BIN)) tools/bench.sh $(abspath $(BENCH_BIN))

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" unit cli-tests web-tests

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=build-valgrind OPT="-O1 -g" \
		RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions=$(abspath tests/valgrind.supp)" unit cli-tests

demo: deps $(BIN)
	@tools/demo.sh $(abspath $(BIN))

FORMAT_FILES = $(shell find src tests/unit tools -name '*.[ch]')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES)

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/sanilog

clean:
	rm -rf build build-asan build-valgrind

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
