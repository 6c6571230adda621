# Samples that check memsup never harms the program it supervises
# (tests/e2e/0110-*.sh and on). Included by samples/samples.mk.

# detach: four threads allocating without pause, for attach/detach cycles
SAMPLES += samples/harm/detach
samples/harm/detach: samples/harm/detach.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<

# cycles: four threads allocating inside one test per round, exact figures
SAMPLES += samples/harm/cycles
samples/harm/cycles: samples/harm/cycles.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<

# signals: the dispositions a program sees, SIGPIPE raised and on a pipe
SAMPLES += samples/harm/signals
samples/harm/signals: samples/harm/signals.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# coroutine, altstack: tests that switch stacks (samples/harm/stacks.yaml)
SAMPLES += samples/harm/coroutine samples/harm/altstack
samples/harm/coroutine: samples/harm/coroutine.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<
samples/harm/altstack: samples/harm/altstack.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<

# hotpatch: a jump written over malloc while it is armed
SAMPLES += samples/harm/hotpatch
samples/harm/hotpatch: samples/harm/hotpatch.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# placement: no room within jump range of libc (crowd), a program started
# stopped before its dynamic linker runs (stopped)
SAMPLES += samples/harm/placement
samples/harm/placement: samples/harm/placement.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# stopped: four threads allocating inside one test per round, a line per
# round, for job-control stops (SIGSTOP, SIGCONT) under memsup
SAMPLES += samples/harm/stopped
samples/harm/stopped: samples/harm/stopped.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<
