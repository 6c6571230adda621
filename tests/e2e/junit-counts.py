#!/usr/bin/python3
# Reads a JUnit XML file as a CI server does (Debian's python3-junitparser)
# and prints, per suite, "NAME tests failures errors" from the suite's own
# attributes and "counted tests failures errors" from its testcases; a
# reader that disagrees with the counts memsup wrote shows here.
import sys

from junitparser import Error, Failure, JUnitXml

xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    cases = list(suite)
    failures = sum(1 for c in cases for r in c.result if isinstance(r, Failure))
    errors = sum(1 for c in cases for r in c.result if isinstance(r, Error))
    print(suite.name, suite.tests, suite.failures, suite.errors)
    print("counted", len(cases), failures, errors)
