/*
 * cxx: operator new/delete through std::map, std::string, std::vector and
 * std::unique_ptr: the allocation pattern of ordinary C++.
 *
 *   cxx [N]                default 4000 map entries
 */
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct shape {
	virtual ~shape() = default;
	virtual double area() const = 0;
};

struct rect : shape {
	double w, h;
	rect(double a, double b) : w(a), h(b) {}
	double area() const override { return w * h; }
};

__attribute__((noinline)) static double build(long n)
{
	std::map<long, std::string> names;
	std::vector<std::unique_ptr<shape>> shapes;
	double total = 0;

	for (long i = 0; i < n; i++) {
		/* longer than the small-string buffer: one allocation each */
		names[i] = "entry number " + std::to_string(i) + " of the map";
		shapes.push_back(std::make_unique<rect>(i, 2.0));
	}
	for (long i = 0; i < n; i += 2)
		names.erase(i);
	for (auto &s : shapes)
		total += s->area();
	for (long r = 0; r < n / 100; r++) {
		std::vector<int> v;

		for (int k = 0; k < 1000; k++)
			v.push_back(k);		/* 11 growths */
		total += v[r % 1000];
	}
	return total + (double)names.size();
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? std::atol(argv[1]) : 4000;
	double t = build(n);

	std::printf("cxx: %ld entries, %.0f\n", n, t);
	return 0;
}
