# memsup: one Makefile for the tool, its tests, samples, fuzzing and benchmark.
#
#   make              build ./memsup (installs missing Debian -dev packages as root)
#   make check        build and run every test: unit tests (plain and under
#                     AddressSanitizer/UBSan), samples, end-to-end tests
#   make demo         build and run memsup on a sample suite
#   make fuzz         run the policy-loader fuzzer for FUZZ_SECONDS
#   make bench        run the benchmark in bench/
#   make bench-scale  reports and symbols on a 1,000-test generated suite
#   make install      PREFIX=/usr/local DESTDIR= (the program, its manual
#                     page and its bash completion)
#
# Knobs: CC=clang, WERROR=0, SANITIZE=address,undefined (whole build).

PREFIX ?= /usr/local
DESTDIR ?=
WERROR ?= 1
SANITIZE ?=
FUZZ_SECONDS ?= 60

VERSION := 0.1.0

# Libraries found with pkg-config, and the Debian packages that bring them:
# DEB_PKGS to build memsup ("make", "make install"), the rest only for the
# tests ("make check", "make demo" install them).
PKGS := libdw libelf libunwind-ptrace yaml-0.1 json-c
TEST_PKGS := check gtest cmocka
DEB_PKGS := pkg-config libdw-dev libelf-dev libunwind-dev libyaml-dev libjson-c-dev
# samples/gtest and samples/cmocka are built against GoogleTest and cmocka.
TEST_DEB_PKGS := check libgtest-dev libcmocka-dev
# Tools the tests use, by command name and Debian package.
DEB_TOOLS := jq:jq xmllint:libxml2-utils g++:g++ valgrind:valgrind strace:strace \
	objdump:binutils /usr/bin/time:time chromium:chromium cmake:cmake \
	meson:meson ninja:ninja-build
# Python modules the tests use, by module and Debian package.
DEB_PYTHON := junitparser:python3-junitparser jsonschema:python3-jsonschema

WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wwrite-strings -Wundef \
	-Wvla -Wimplicit-fallthrough -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif

# Evaluated lazily (=), so that they are read after 'deps' has installed
# the packages on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O2 $(WARN) -I. -pthread \
	-DMEMSUP_VERSION='"$(VERSION)"'
ifneq ($(SANITIZE),)
BASE_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)

SRCS := $(sort $(wildcard supervisor/*.c breakpoints/*.c config/*.c))
LIB_SRCS := $(filter-out supervisor/main.c,$(SRCS))
LIB_ASM := supervisor/recorder_blob.S
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))

OBJ := build/obj
ASAN := build/asan
LIB_OBJS := $(LIB_SRCS:%.c=$(OBJ)/%.o) $(LIB_ASM:%.S=$(OBJ)/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(ASAN)/%.o) $(LIB_ASM:%.S=$(OBJ)/%.o)

.PHONY: all deps test-deps fuzz-deps check check-unit check-e2e check-harm demo fuzz bench bench-scale \
	install clean lint samples
all: memsup

# Install what pkg-config or PATH cannot find. A fresh Debian machine has no
# package lists yet, hence the update first; it runs only when needed.
apt_install = \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "$@: installing$$missing"; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing \
				>/dev/null || exit 1; \
		else \
			echo "$@: missing packages; run as root:" >&2; \
			echo "  apt-get update && apt-get install -y$$missing" >&2; \
			exit 1; \
		fi; \
	fi

deps:
	@missing=; \
	command -v pkg-config >/dev/null 2>&1 || missing="$(DEB_PKGS)"; \
	if [ -z "$$missing" ] && ! pkg-config --exists $(PKGS); then \
		missing="$(DEB_PKGS)"; \
	fi; \
	$(apt_install)

test-deps: deps
	@missing=; \
	pkg-config --exists $(TEST_PKGS) || missing="$(TEST_DEB_PKGS)"; \
	[ -e /usr/include/gtest/gtest.h ] || missing="$$missing libgtest-dev"; \
	for t in $(DEB_TOOLS); do \
		command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; \
	done; \
	for m in $(DEB_PYTHON); do \
		/usr/bin/python3 -c "import $${m%%:*}" >/dev/null 2>&1 || \
			missing="$$missing $${m#*:}"; \
	done; \
	$(apt_install)

memsup: $(OBJ)/supervisor/main.o $(LIB_OBJS)
	$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(OBJ)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(ASAN)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -fsanitize=address,undefined \
		-fno-omit-frame-pointer -MMD -MP -c -o $@ $<

-include $(shell find build -name '*.d' 2>/dev/null)

# The recorder: code that runs inside the traced program (recorder/), one
# freestanding position-independent block with no relocations and no
# writable data, embedded in memsup (docs/design/inject.md).
REC := build/recorder
REC_CFLAGS := -std=c11 -O2 -g $(WARN) -I. -ffreestanding -fno-builtin \
	-nostdlib -fPIC -fvisibility=hidden -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none \
	-mgeneral-regs-only -fno-tree-loop-distribute-patterns -fno-jump-tables
$(REC)/%.o: recorder/%.c recorder/shared.h | deps
	@mkdir -p $(@D)
	$(CC) $(REC_CFLAGS) -c -o $@ $<
$(REC)/%.o: recorder/%.S
	@mkdir -p $(@D)
	$(CC) $(REC_CFLAGS) -c -o $@ $<
$(REC)/recorder.bin: $(REC)/entry.o $(REC)/recorder.o recorder/recorder.ld
	ld -pie --no-dynamic-linker --no-warn-rwx-segments -T recorder/recorder.ld -o $(REC)/recorder.elf $(REC)/entry.o \
		$(REC)/recorder.o
	@if [ -n "$$(readelf -r $(REC)/recorder.elf | grep -v 'no relocations')" ]; then \
		echo "recorder: relocations in the recorder" >&2; exit 1; fi
	objcopy -O binary -j .text $(REC)/recorder.elf $@
$(OBJ)/supervisor/recorder_blob.o: supervisor/recorder_blob.S $(REC)/recorder.bin
	@mkdir -p $(@D)
	$(CC) -c -o $@ $<

# The HTML report's script and styles, as C string literals.
build/gen/%.h: supervisor/%
	@mkdir -p $(@D)
	sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$$/\\n"/' $< >$@
$(OBJ)/supervisor/report_html.o $(ASAN)/supervisor/report_html.o: \
	build/gen/report_html.js.h build/gen/report_html.css.h

# Unit tests: one Check runner over the pure modules, built twice.
build/unit-tests: $(UNIT_SRCS:%.c=$(OBJ)/%.o) $(LIB_OBJS)
	$(CC) $(BASE_CFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) -lm

build/unit-tests-asan: $(UNIT_SRCS:%.c=$(ASAN)/%.o) $(ASAN_OBJS)
	$(CC) $(BASE_CFLAGS) -fsanitize=address,undefined -o $@ $^ \
		$(PKG_LIBS) $(CHECK_LIBS) -lm

$(OBJ)/tests/unit/%.o: ALL_CFLAGS += $(CHECK_CFLAGS)
# Check and the other test-only packages: for the tests alone.
$(UNIT_SRCS:%.c=$(OBJ)/%.o) $(UNIT_SRCS:%.c=$(ASAN)/%.o) $(ASAN_OBJS): | test-deps

# Check kills a test after 4 s by default: too little for the sanitized
# runner on a loaded 2-core machine.
check-unit: build/unit-tests build/unit-tests-asan
	cd tests/unit && CK_DEFAULT_TIMEOUT=120 ../../build/unit-tests
	cd tests/unit && CK_DEFAULT_TIMEOUT=120 ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		../../build/unit-tests-asan

# Samples: small real programs memsup is run on (samples/samples.mk).
SAMPLES :=
include samples/samples.mk
samples: $(SAMPLES)
$(SAMPLES): | test-deps

include tests/e2e/valgrind.mk

check-e2e: memsup samples
	tests/e2e/run.sh

check: test-deps
	$(MAKE) memsup
	$(MAKE) check-unit
	$(MAKE) check-e2e

# The long runs of the tests that memsup never harms a program: 200
# attach/detach cycles under allocation load, 300 damaged unwind tables and
# 100 attach/detach cycles of the in-process engine (make check runs 40, 48
# and 10).
check-harm: memsup samples
	DETACH_CYCLES=200 MUTANTS=300 ATTACH_CYCLES=100 tests/e2e/run.sh 0110 0117 0118

demo: test-deps
	$(MAKE) memsup samples
	tests/e2e/demo.sh

# libFuzzer target for the policy loader (clang only; libFuzzer comes with
# Debian's libclang-rt-14-dev).
FUZZ_SRCS := config/policy.c config/units.c config/suppress.c tests/fuzz/fuzz_policy.c
fuzz-deps: deps
	@if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
		clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "fuzz-deps: installing clang libclang-rt-14-dev"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -qq clang libclang-rt-14-dev >/dev/null; \
		else \
			echo "fuzz-deps: run as root: apt-get install -y clang libclang-rt-14-dev" >&2; \
			exit 1; \
		fi; \
	fi

build/fuzz-policy: $(FUZZ_SRCS) | fuzz-deps
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -I. -fsanitize=fuzzer,address,undefined \
		$(PKG_CFLAGS) -o $@ $(FUZZ_SRCS) $(PKG_LIBS)

fuzz: build/fuzz-policy
	@mkdir -p build/fuzz-corpus
	build/fuzz-policy -max_total_time=$(FUZZ_SECONDS) -detect_leaks=1 \
		build/fuzz-corpus tests/fuzz/seeds

bench: memsup samples
	bench/run.sh

# memsup's reports on a generated suite of 1,000 GoogleTest tests
bench-scale: memsup
	bench/scale.sh

# The man page refers to the pages of docs/: they go with it.
DOCDIR ?= $(PREFIX)/share/doc/memsup
install: memsup
	install -D -m 0755 memsup $(DESTDIR)$(PREFIX)/bin/memsup
	install -D -m 0644 docs/memsup.1 $(DESTDIR)$(PREFIX)/share/man/man1/memsup.1
	install -D -m 0644 contrib/memsup.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/memsup
	install -d $(DESTDIR)$(DOCDIR) $(DESTDIR)$(DOCDIR)/design
	install -m 0644 README.md docs/*.md docs/memsup.schema.json $(DESTDIR)$(DOCDIR)
	install -m 0644 docs/design/*.md $(DESTDIR)$(DOCDIR)/design

# House rules that the compiler does not check.
lint:
	@! grep -n '//' $(SRCS) $(wildcard */*.h) | grep -v '"[^"]*//[^"]*"' \
		| grep -v 'https\?:' || { echo "lint: use /* */ comments" >&2; exit 1; }

clean:
	rm -rf build memsup $(SAMPLES)
