# check-suite: a real Check suite (fork mode) with known figures per test
# (samples/check-suite/suite.h, expected.md). Included from samples.mk,
# which defines SAMPLE_CFLAGS and SAMPLE_COMMON; CHECK_CFLAGS and
# CHECK_LIBS come from the top Makefile (pkg-config check).
CHECK_SUITE_SRCS := samples/check-suite/suite.c samples/check-suite/heap.c \
	samples/check-suite/cache.c
SAMPLES += samples/check-suite/check-suite
samples/check-suite/check-suite: $(CHECK_SUITE_SRCS) \
		samples/check-suite/suite.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) $(CHECK_CFLAGS) -o $@ $(CHECK_SUITE_SRCS) \
		$(CHECK_LIBS)

# check-suite-stripped: the same suite without .symtab, as an installed
# test binary often is: its Check tests cannot be discovered.
SAMPLES += samples/check-suite/check-suite-stripped
samples/check-suite/check-suite-stripped: samples/check-suite/check-suite
	strip --strip-all -o $@ $<

# check-fixture: tests whose memory belongs to checked fixtures
# (samples/check-fixture/fixture.c has the figures)
SAMPLES += samples/check-fixture/check-fixture
samples/check-fixture/check-fixture: samples/check-fixture/fixture.c
	$(CC) $(SAMPLE_CFLAGS) $(CHECK_CFLAGS) -o $@ $< $(CHECK_LIBS)
