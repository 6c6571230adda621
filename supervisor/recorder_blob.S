/* The recorder (recorder/), as memsup copies it into a traced process. */
	.section .rodata
	.globl memsup_recorder_blob
	.globl memsup_recorder_blob_end
	.p2align 4
memsup_recorder_blob:
	.incbin "build/recorder/recorder.bin"
memsup_recorder_blob_end:
	.section .note.GNU-stack, "", @progbits
