#!/bin/sh
# make demo: memsup on the sample Check suite (samples/check-suite) with its
# policy; the terminal report shows on stderr, JUnit XML, JSON and the HTML
# report go to build/demo.xml, build/demo.json and build/demo.html. Some of the sample's tests fail on
# purpose (a peak over its limit, a leak, a descriptor left open, a failed
# assertion), so memsup exits 1; the demo succeeds when the reports exist.
cd "$(dirname "$0")/../.." || exit 1
mkdir -p build
rm -f build/demo.xml build/demo.json build/demo.html
echo "\$ ./memsup --policy samples/check-suite/limits.yaml --junit-xml build/demo.xml --json build/demo.json --html build/demo.html samples/check-suite/check-suite"
./memsup --policy samples/check-suite/limits.yaml \
	--junit-xml build/demo.xml --json build/demo.json \
	--html build/demo.html samples/check-suite/check-suite
status=$?
echo
echo "memsup exited with status $status (1: a memory limit failed, as the sample intends)."
if [ -s build/demo.xml ] && [ -s build/demo.json ] && [ -s build/demo.html ]; then
	echo "Reports: build/demo.xml (JUnit), build/demo.json (JSON)."
	echo "HTML report: $(pwd)/build/demo.html (open it in a browser)."
	exit 0
fi
echo "demo: the reports were not written" >&2
exit 1
