# Trace the allocator calls made inside each test of check-suite with gdb,
# as expected.md records (run from the top directory, ~5 minutes: the
# fixture makes a million calls that gdb stops at while no test runs):
#   CK_FORK=no gdb -q -batch -x samples/check-suite/trace.py samples/check-suite/check-suite
#   gdb -q -batch -ex "set detach-on-fork off" -ex "set schedule-multiple on" \
#       -x samples/check-suite/trace.py samples/check-suite/check-suite
# Prints "RESULT test[i] how allocs=N bytes=N frees=N" and each call.
import gdb
gdb.execute("set pagination off")
ALLOC = ["malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc"]
state = {}
log = []
class TestBp(gdb.Breakpoint):
    def stop(self):
        inf = gdb.selected_inferior().num
        fr = gdb.newest_frame()
        it = int(gdb.parse_and_eval("_i"))
        name = self.location.replace("_fn", "")
        old = state.pop(inf, None)
        if old: log.append((old[0], "abandoned (longjmp)", old[1]))
        state[inf] = [name + "[%d]" % it, []]
        Fin(fr, inf)
        return False
class Fin(gdb.FinishBreakpoint):
    def __init__(self, fr, inf):
        super().__init__(fr, internal=True)
        self.inf = inf
    def stop(self):
        s = state.pop(self.inf, None)
        if s: log.append((s[0], "returned", s[1]))
        return False
    def out_of_scope(self):
        s = state.pop(self.inf, None)
        if s: log.append((s[0], "abandoned (longjmp)", s[1]))
class AllocBp(gdb.Breakpoint):
    def stop(self):
        inf = gdb.selected_inferior().num
        s = state.get(inf)
        if not s: return False
        fn = self.location
        caller = str(gdb.newest_frame().older().name())
        if fn == "free":
            s[1].append(("free", int(gdb.parse_and_eval("$rdi")), caller))
        elif fn == "calloc":
            s[1].append((fn, int(gdb.parse_and_eval("$rdi")) * int(gdb.parse_and_eval("$rsi")), caller))
        elif fn == "realloc":
            s[1].append((fn, int(gdb.parse_and_eval("$rsi")), caller))
        else:
            s[1].append((fn, int(gdb.parse_and_eval("$rdi")), caller))
        return False
class JmpBp(gdb.Breakpoint):
    def stop(self):
        inf = gdb.selected_inferior().num
        s = state.pop(inf, None)
        if s: log.append((s[0], "left by " + self.location, s[1]))
        return False
def exit_handler(ev):
    s = state.pop(ev.inferior.num, None)
    if s: log.append((s[0], "exited inside (status %s)" % getattr(ev, "exit_code", "?"), s[1]))
gdb.events.exited.connect(exit_handler)
for t in ["test_clean", "test_leak", "test_fd", "test_fail", "test_peak", "test_count", "test_loop"]:
    TestBp(t + "_fn")
for a in ALLOC:
    AllocBp(a)
for j in ["__longjmp_chk", "longjmp", "siglongjmp", "_exit", "exit"]:
    JmpBp(j)
gdb.execute("run")
for _ in range(500):
    live = [i for i in gdb.inferiors() if i.pid > 0]
    if not live: break
    gdb.execute("inferior %d" % live[0].num, to_string=True)
    try: gdb.execute("continue")
    except gdb.error as e: print("continue:", e)
for name, how, ev in log:
    allocs = [e for e in ev if e[0] != "free"]
    frees = [e for e in ev if e[0] == "free"]
    print("RESULT %-14s %-28s allocs=%d bytes=%d frees=%d" % (name, how, len(allocs), sum(e[1] for e in allocs), len(frees)))
    for e in ev:
        print("      ", e)
    seen = set()
    for e in ev:
        k = (e[0], e[1] if e[0] != "free" else 0, e[2])
        if k in seen: continue
        seen.add(k)
        print("    ", e[0], e[1] if e[0] != "free" else "", "from", e[2], "x%d" % sum(1 for x in ev if (x[0], x[1] if x[0] != "free" else 0, x[2]) == k))
