# Samples that check memsup never harms the program it supervises
# (tests/e2e/0110-*.sh and on). Included by samples/samples.mk.

# detach: four threads allocating without pause, for attach/detach cycles
SAMPLES += samples/harm/detach
samples/harm/detach: samples/harm/detach.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<
