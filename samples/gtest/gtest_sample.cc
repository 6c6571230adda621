// gtest: a GoogleTest suite built against Debian's libgtest-dev, whose
// fixtures own memory that they free in TearDown and in their destructor,
// with typed and parameterised tests. gtest constructs the fixture, runs
// SetUp, the body, TearDown, and destroys it, all inside
// testing::TestInfo::Run: that is one test's scope.
//
// Figures per test, with the test's scope (all sizes in bytes, every
// block freed unless said; new[] of N bytes is one allocation of N):
//   Buffer.HandsToDestructor  ctor new[CTOR], SetUp new[SETUP], body
//                             new[BODY] kept in a member; TearDown frees
//                             SETUP, the destructor CTOR and BODY
//   Buffer.HandsToTearDown    ctor new[CTOR], SetUp new[SETUP], body frees
//                             SETUP and makes new[BODY], TearDown frees it,
//                             the destructor CTOR
//   Plain.Leaks               new[LEAK] kept in a global: leaked
// The typed (TypedBuf/0.Holds, TypedBuf/1.Holds) and parameterised
// (Small/Param.Sizes/0 .. /2) tests make and free std::vectors.
#include <cstddef>
#include <vector>

#include <gtest/gtest.h>

enum : std::size_t {
	CTOR = 40,
	SETUP = 72,
	BODY = 136,
	LEAK = 24,
};

class Buffer : public ::testing::Test {
protected:
	Buffer() : ctor_block(new char[CTOR]) {}
	~Buffer() override
	{
		delete[] ctor_block;
		delete[] kept;
	}
	void SetUp() override { setup_block = new char[SETUP]; }
	void TearDown() override { delete[] setup_block; }

	char *ctor_block;
	char *setup_block = nullptr;
	char *kept = nullptr;
};

TEST_F(Buffer, HandsToDestructor)
{
	kept = new char[BODY];
	EXPECT_NE(kept, nullptr);
}

TEST_F(Buffer, HandsToTearDown)
{
	delete[] setup_block;
	setup_block = new char[BODY];
	EXPECT_NE(setup_block, nullptr);
}

static char *leaked;

TEST(Plain, Leaks)
{
	leaked = new char[LEAK];
	EXPECT_NE(leaked, nullptr);
}

template <typename T> class TypedBuf : public ::testing::Test {};
using BufTypes = ::testing::Types<int, double>;
TYPED_TEST_SUITE(TypedBuf, BufTypes);

TYPED_TEST(TypedBuf, Holds)
{
	std::vector<TypeParam> v(4);
	EXPECT_EQ(v.size(), 4u);
}

class Param : public ::testing::TestWithParam<int> {};

TEST_P(Param, Sizes)
{
	std::vector<char> v(static_cast<std::size_t>(GetParam()));
	EXPECT_EQ(v.size(), static_cast<std::size_t>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Small, Param, ::testing::Values(1, 8, 64));
