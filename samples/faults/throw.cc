// throw: a C++ exception thrown through a test boundary.
//
// run_one() calls throwing_test(), which allocates and throws; run_one()
// catches, so the program goes on: later_test() runs and is measured, and
// the program exits 0 after printing "caught" and "throw: done".
//   throwing_test: new char[100] (deleted), new char[200] (kept, leaked),
//     then throws std::runtime_error: __cxa_allocate_exception takes the
//     exception object with malloc (one more allocation, freed by the catch
//     after the scope was abandoned) - the scope is unfinished, its
//     figures are not asserted beyond allocations >= 2.
//   later_test: new char[1000], delete[]: 1 / 1 / 1000 / 1000 / 0.
// Policy: samples/faults/throw.yaml.
#include <stdexcept>
#include <unistd.h>

static char *kept;

static void say(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	if (write(1, s, n) < 0)
		_exit(99);
}

extern "C" __attribute__((noinline)) void throwing_test()
{
	char *a = new char[100];

	kept = new char[200];
	delete[] a;
	throw std::runtime_error("thrown through the test");
}

extern "C" __attribute__((noinline)) void later_test()
{
	char *p = new char[1000];

	p[0] = 1;
	delete[] p;
}

__attribute__((noinline)) static void run_one()
{
	try {
		throwing_test();
	} catch (const std::exception &) {
		say("caught\n");
	}
}

int main()
{
	run_one();
	later_test();
	say("throw: done\n");
	return 0;
}
