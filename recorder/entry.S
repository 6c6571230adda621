/*
 * The recorder's entry code (docs/design/inject.md): the header memsup
 * reads, the two common stubs every redirected entry point jumps to, and
 * the traps through which the recorder asks memsup for help.
 *
 * A per-entry stub (written by memsup, supervisor/inject.c) tests
 * rec_control.enabled, goes straight to the relocated original when no
 * scope is open, and otherwise jumps here with r11 = its entry number.
 * r11 is free at a function's entry: the System V ABI makes it a scratch
 * register that no argument uses.
 *
 * Both common stubs build a struct rec_frame (recorder/shared.h) below
 * the return address: 168 bytes, so that rsp is 16-byte aligned at the
 * calls made from here (it is 8 mod 16 at a function's entry).
 */
	.section .rec_header, "ax"
	.globl rec_header
	.hidden rec_header
	.p2align 3
rec_header:
	.quad 0x6d656d7375707231		/* REC_MAGIC */
	.quad 0					/* data, set by memsup */
	.long rec_code_end - rec_header
	.long rec_common_alloc - rec_header
	.long rec_common_tail - rec_header
	.long rec_trap_rule - rec_header
	.long rec_trap_unwind - rec_header
	.long rec_trap_full - rec_header
	.long rec_syscall - rec_header
	.long 0

	.text
#define FRAME 168
#define F_ARGS 0
#define F_RBX 48
#define F_RBP 56
#define F_R12 64
#define F_R13 72
#define F_R14 80
#define F_R15 88
#define F_ENTRY_RSP 96
#define F_ENTRY 104
#define F_TARGET 112
#define F_RESULT 120

.macro SAVE_FRAME
	sub $FRAME, %rsp
	mov %rdi, F_ARGS+0(%rsp)
	mov %rsi, F_ARGS+8(%rsp)
	mov %rdx, F_ARGS+16(%rsp)
	mov %rcx, F_ARGS+24(%rsp)
	mov %r8, F_ARGS+32(%rsp)
	mov %r9, F_ARGS+40(%rsp)
	mov %rbx, F_RBX(%rsp)
	mov %rbp, F_RBP(%rsp)
	mov %r12, F_R12(%rsp)
	mov %r13, F_R13(%rsp)
	mov %r14, F_R14(%rsp)
	mov %r15, F_R15(%rsp)
	lea FRAME(%rsp), %rdi
	mov %rdi, F_ENTRY_RSP(%rsp)
	mov %r11, F_ENTRY(%rsp)
	mov %rsp, %rdi
.endm

.macro LOAD_ARGS
	mov F_ARGS+0(%rsp), %rdi
	mov F_ARGS+8(%rsp), %rsi
	mov F_ARGS+16(%rsp), %rdx
	mov F_ARGS+24(%rsp), %rcx
	mov F_ARGS+32(%rsp), %r8
	mov F_ARGS+40(%rsp), %r9
.endm

/*
 * Allocation-class entries: the original is called from this frame, so
 * that its result can be recorded. rec_alloc_pre() returns 0 to pass
 * the call through untouched (a nested call), with the target set.
 * The frame carries no unwind information of its own: allocators that
 * are C functions do not throw; operator new tail-jumps (rec_common_tail).
 */
	.globl rec_common_alloc
	.hidden rec_common_alloc
rec_common_alloc:
	SAVE_FRAME
	call rec_alloc_pre
	test %eax, %eax
	jz 1f
	LOAD_ARGS
	call *F_TARGET(%rsp)
	mov %rax, F_RESULT(%rsp)
	mov %rsp, %rdi
	call rec_alloc_post
	mov F_RESULT(%rsp), %rax
	add $FRAME, %rsp
	ret
1:
	LOAD_ARGS
	mov F_TARGET(%rsp), %r11
	add $FRAME, %rsp
	jmp *%r11

/*
 * Entries recorded before they run (free-class) or that only mark the
 * thread (operator new): rec_tail() does its work and the original then
 * runs on the caller's own frame, as if called directly.
 */
	.globl rec_common_tail
	.hidden rec_common_tail
rec_common_tail:
	SAVE_FRAME
	call rec_tail
	LOAD_ARGS
	mov F_TARGET(%rsp), %r11
	add $FRAME, %rsp
	jmp *%r11

/* Traps: rdi = the struct rec_frame memsup reads and answers in. */
	.globl rec_trap_rule
	.hidden rec_trap_rule
rec_trap_rule:
	int3
	ret

	.globl rec_trap_unwind
	.hidden rec_trap_unwind
rec_trap_unwind:
	int3
	ret

	.globl rec_trap_full
	.hidden rec_trap_full
rec_trap_full:
	int3
	ret

/* memsup's injected system calls run here. */
	.globl rec_syscall
	.hidden rec_syscall
rec_syscall:
	syscall
	int3

	.section .rec_end, "ax"
rec_code_end:
	.section .note.GNU-stack, "", @progbits
