// gtest-like: test classes shaped as GoogleTest's (Suite_Name_Test with a
// TestBody method, run by a registry), without the gtest library, so that
// memsup's `discover: gtest` finds them by their demangled names.
//
// Figures per test (all sizes in bytes):
//   Vector_Grows_Test   one std::vector<int> pushed GT_PUSHES ints (its
//                       buffer grows 1, 2, 4, ... 64 ints: 7 allocations
//                       of 4 + 8 + ... + 256 = 508 bytes, each freed as
//                       the next one is made; peak 256 + 128 = 384 while
//                       the last copy is made), all freed at the end
//   Parser_Leaks_Test   new[] of GT_LEAK bytes, never deleted, its only
//                       pointer a local: definitely lost
//   Parser_Throws_Test  throws std::runtime_error("parser failed") out of
//                       TestBody; the runner catches it (as gtest does):
//                       unfinished. libstdc++ 12 makes 2 allocations for
//                       it: the exception, sizeof(__cxa_refcounted_exception)
//                       128 + sizeof(std::runtime_error) 16 = 144, and the
//                       message's COW string, sizeof(_Rep) 24 + 13 + 1 = 38;
//                       both live when the frame is abandoned: 182 bytes
#include <cstdio>
#include <stdexcept>
#include <vector>

#define GT_PUSHES 64
#define GT_LEAK 200

struct Test {
	virtual ~Test() {}
	virtual void TestBody() = 0;
};

struct Vector_Grows_Test : Test {
	void TestBody() override
	{
		std::vector<int> v;
		for (int i = 0; i < GT_PUSHES; i++)
			v.push_back(i);
	}
};

struct Parser_Leaks_Test : Test {
	void TestBody() override
	{
		char *leaked = new char[GT_LEAK];	/* lost at the return */
		leaked[0] = 1;
	}
};

struct Parser_Throws_Test : Test {
	void TestBody() override
	{
		throw std::runtime_error("parser failed");
	}
};

__attribute__((noinline)) static void run_one(Test &t)
{
	try {
		t.TestBody();
	} catch (const std::exception &e) {
		std::printf("caught: %s\n", e.what());
	}
}

int main()
{
	Vector_Grows_Test a;
	Parser_Leaks_Test b;
	Parser_Throws_Test c;

	run_one(a);
	run_one(b);
	run_one(c);
	std::printf("gtest-like: done\n");
	return 0;
}
