/*
 * Programs built with a sanitizer's leak checker (-fsanitize=address or
 * -fsanitize=leak): LeakSanitizer's check at exit stops the program's
 * threads with ptrace, which fails when memsup already traces it
 * ("LeakSanitizer does not work under ptrace"), and the program then
 * exits with an error of its own. memsup says so before the run and what
 * to set; memsup's own leak report covers what LeakSanitizer would find.
 */
#ifndef MEMSUP_SANITIZER_H
#define MEMSUP_SANITIZER_H

/*
 * If the ELF program PATH carries an AddressSanitizer or LeakSanitizer
 * runtime (libasan/liblsan in DT_NEEDED, or a static runtime's
 * __asan_init / __lsan_init symbol) and the environment does not turn
 * its leak check off already, prints a warning with what to set and
 * returns 1; else 0. A file that is not ELF is not looked at.
 */
int sanitizer_warn(const char *path);

#endif
