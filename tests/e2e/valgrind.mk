# check-valgrind: the whole end-to-end suite with memsup itself under
# valgrind (memcheck). Included by the top Makefile after samples.mk:
#
#     include tests/e2e/valgrind.mk
#
# MEMSUP (lib.sh) points at a wrapper that execs valgrind on ./memsup (same
# pid, so signals and --pid tests still reach memsup). valgrind does not
# follow the programs memsup runs (memsup's child execs them natively, and
# valgrind could not trace a ptrace user's children anyway): only memsup's
# own memory is checked. Each memsup run writes its log to
# build/valgrind/logs/memsup.PID.log; the target fails when any run had a
# memcheck error or a definite or indirect leak (--error-exitcode=99 also
# turns such a run's exit status into 99, which fails its test), and when
# the suite itself fails. VALGRIND_TESTS="0001 0100" runs only those tests.

VALGRIND_DIR := build/valgrind
VALGRIND_TESTS ?=

.PHONY: check-valgrind
check-valgrind: memsup samples
	@command -v valgrind >/dev/null 2>&1 || \
		{ echo "check-valgrind: valgrind is not installed" >&2; exit 1; }
	@rm -rf $(VALGRIND_DIR) && mkdir -p $(VALGRIND_DIR)/logs
	@printf '%s\n' '#!/bin/sh' \
		'exec valgrind --error-exitcode=99 --leak-check=full \' \
		'	--suppressions=$(CURDIR)/tests/e2e/valgrind.supp \' \
		'	--errors-for-leak-kinds=definite,indirect \' \
		'	--show-leak-kinds=definite,indirect --track-origins=yes \' \
		'	--log-file=$(CURDIR)/$(VALGRIND_DIR)/logs/memsup.%p.log \' \
		'	$(CURDIR)/memsup "$$@"' >$(VALGRIND_DIR)/memsup
	@chmod +x $(VALGRIND_DIR)/memsup
	@MEMSUP=$(CURDIR)/$(VALGRIND_DIR)/memsup MEMSUP_VALGRIND=1 \
		E2E_TIMEOUT=600 E2E_BIG_N=20000 TEST_TIMEOUT=1800 \
		tests/e2e/run.sh $(VALGRIND_TESTS); suite=$$?; \
	logs=$$(ls $(VALGRIND_DIR)/logs | wc -l); \
	bad=$$(grep -l -E 'ERROR SUMMARY: [1-9]|(definitely|indirectly) lost: [1-9]' \
		$(VALGRIND_DIR)/logs/* 2>/dev/null); \
	echo "check-valgrind: $$logs memsup runs under valgrind, $$(echo $$bad | wc -w) with errors or leaks"; \
	for f in $$bad; do echo "--- $$f"; sed -n '1,60p' $$f; done; \
	[ -z "$$bad" ] && [ $$suite = 0 ]
