# faults: the samples of the fault matrix (tests/e2e/0100-*.sh).
# Included at the end of samples/samples.mk, which defines SAMPLE_CFLAGS,
# SAMPLE_CXXFLAGS and SAMPLE_COMMON.

FAULTS := samples/faults

# faults MODE: one fault per mode (faults.c); policy faults.yaml
SAMPLES += $(FAULTS)/faults
$(FAULTS)/faults: $(FAULTS)/faults.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# threads exit|main: the process ends while threads allocate
SAMPLES += $(FAULTS)/threads
$(FAULTS)/threads: $(FAULTS)/threads.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<

# throw: a C++ exception through a test boundary; policy throw.yaml
SAMPLES += $(FAULTS)/throw
$(FAULTS)/throw: $(FAULTS)/throw.cc
	$(CXX) $(SAMPLE_CXXFLAGS) -o $@ $<

# exported: exported_test() in .dynsym (-rdynamic); exported-stripped is
# the same binary after strip --strip-all (only .dynsym left)
SAMPLES += $(FAULTS)/exported $(FAULTS)/exported-stripped
$(FAULTS)/exported: $(FAULTS)/exported.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -rdynamic -o $@ $<
$(FAULTS)/exported-stripped: $(FAULTS)/exported
	strip --strip-all -o $@ $<

# nounwind: no unwind tables, no frame pointer, -O2
SAMPLES += $(FAULTS)/nounwind
$(FAULTS)/nounwind: $(FAULTS)/nounwind.c $(SAMPLE_COMMON)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -fomit-frame-pointer \
		-fno-asynchronous-unwind-tables -fno-unwind-tables \
		$(SAMPLE_WARN) -o $@ $<

# bigheap N: N live blocks at once
SAMPLES += $(FAULTS)/bigheap
$(FAULTS)/bigheap: $(FAULTS)/bigheap.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# hello32: a 32-bit program: a C one with -m32 where gcc-multilib is
# installed, else a bare one from tiny32.S (as --32, ld -m elf_i386: binutils
# only). Either way an i386 ELF the kernel would run.
SAMPLES += $(FAULTS)/hello32
$(FAULTS)/hello32: $(FAULTS)/hello32.c $(FAULTS)/tiny32.S
	$(CC) -m32 -O0 -o $@ $(FAULTS)/hello32.c 2>/dev/null || { \
		echo "hello32: no -m32 C library; a bare i386 ELF instead"; \
		$(CC) -E $(FAULTS)/tiny32.S | as --32 -o $@.o - && \
		ld -m elf_i386 -o $@ $@.o && rm -f $@.o; }
