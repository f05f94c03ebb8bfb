# linkstack-gdb.py: gdb support for linkstack's user-level threads.
#
# Installed as $(gdbautoloaddir)$(libdir)/liblinkstack.so.N.N.N-gdb.py, so
# that gdb loads it with the library (README, "Debugging"); `source` it by
# hand for a static program.  Commands:
#
#   info lstk-threads          every user-level thread of every scheduler:
#                              id, state, what it waits on, where it is
#                              blocked (first frame outside the runtime,
#                              function and line, and the runtime call it
#                              is in), chunks and bytes of stack it holds
#   lstk-bt ID|all             the full backtrace of a suspended thread,
#                              across its chunks
#   lstk-thread ID             selects a suspended thread's frames: frame
#                              1 and up are that thread's, so `frame N`,
#                              `up`, `info locals` work there
#   lstk-thread off            back to the OS thread's own frames (also
#                              automatic when the program resumes)
#
# How a suspended thread is shown.  Its registers are in the 72-byte switch
# frame that its TCB's sp points at (rt/thread/thread.h).  A Python frame
# unwinder ("pivot") claims the innermost frame (level 0, the OS thread's
# own) and gives as its caller's registers those of the switch frame; gdb's
# own DWARF unwinder then walks the thread's frames, across chunks through
# __morestack's CFI.  Nothing is written to the inferior, so the same code
# works on a live process and on a core file.  Frame 0 keeps showing where
# the OS thread really is; the pivot gives frame 0 the suspended stack
# pointer as its frame id, so that gdb's "previous frame inner to this
# frame" check accepts the jump to the thread's chunk.
#
# Everything is read through the runtime's debug information (the types
# struct lstk_thread, struct lstk__sched and the TLS variable
# lstk__sched_tls), so the library must not be stripped of it.

import re

import gdb
from gdb.unwinder import Unwinder, register_unwinder

_STATES = {0: "free", 1: "running", 2: "runnable", 3: "blocked", 4: "finished"}
_T_RUNNING, _T_BLOCKED, _T_FINISHED, _T_FREE = 1, 3, 4, 0
_TF_MAIN = 2
_CTX_SIZE = 72          # LSTK__CTX_SIZE
_GUARD_OFFSET = 64 + 384  # LSTK__CHUNK_HDR + LSTK__RESERVE
_CALLEE_SAVED = ("rbx", "rbp", "r12", "r13", "r14", "r15")


def _u64(v):
    return int(v) & 0xFFFFFFFFFFFFFFFF


def _ptr(type_name, addr):
    return gdb.Value(addr).cast(gdb.lookup_type(type_name).pointer())


# --- the pivot unwinder -----------------------------------------------------

class _FrameId(object):
    def __init__(self, sp, pc):
        self.sp = sp
        self.pc = pc


class _Pivot(Unwinder):
    """When set, level 0's caller is the suspended thread's switch site."""

    def __init__(self):
        super(_Pivot, self).__init__("linkstack-pivot")
        self.regs = None  # {register name: int}

    def __call__(self, pending):
        if self.regs is None or pending.level() != 0:
            return None
        pc = pending.read_register("rip")
        # The frame id's stack address must not be above the thread's
        # frames (see the design block).
        sp = gdb.Value(self.regs["rsp"] - 8).cast(pending.read_register("rsp").type)
        ui = pending.create_unwind_info(_FrameId(sp, pc))
        for name, val in self.regs.items():
            rtype = pending.read_register(name).type
            ui.add_saved_register(name, gdb.Value(val).cast(rtype))
        return ui


_pivot = _Pivot()
register_unwinder(None, _pivot, replace=True)


def _switch_regs(tcb):
    """Registers of suspended TCB, from its switch frame."""
    f = _ptr("struct lstk__ctx_frame", _u64(tcb["sp"])).dereference()
    regs = {name: _u64(f[name]) for name in _CALLEE_SAVED}
    regs["rip"] = _u64(f["rip"])
    regs["rsp"] = _u64(tcb["sp"]) + _CTX_SIZE
    return regs


def _pivot_to(tcb):
    _pivot.regs = None if tcb is None else _switch_regs(tcb)
    gdb.invalidate_cached_frames()


def _on_resume(event):
    if _pivot.regs is not None:
        _pivot.regs = None
        gdb.invalidate_cached_frames()


gdb.events.cont.connect(_on_resume)


# --- finding the threads ------------------------------------------------------

def _schedulers():
    """[(OS thread, struct lstk__sched *)] for every set-up scheduler."""
    out = []
    inf = gdb.selected_inferior()
    here = gdb.selected_thread()
    try:
        frame = gdb.selected_frame()
    except gdb.error:
        frame = None
    try:
        for th in sorted(inf.threads(), key=lambda t: t.num):
            th.switch()
            try:
                s = gdb.parse_and_eval("&lstk__sched_tls")
            except gdb.error:
                continue
            if int(s["ready"]) > 0:
                out.append((th, s))
    finally:
        if here is not None:
            here.switch()
            if frame is not None and frame.is_valid():
                frame.select()
    return out


def _tcbs(s):
    """Every TCB in use of scheduler S: main's, then its TCB arenas'."""
    main = s["main"].address
    yield main
    size = gdb.lookup_type("struct lstk_thread").sizeof
    arena_t = gdb.lookup_type("struct lstk__tcb_arena").pointer()
    tcb_t = gdb.lookup_type("struct lstk_thread").pointer()
    a = _u64(s["tcb_arenas"])
    bump, cur_end = _u64(s["tcb_bump"]), _u64(s["tcb_end"])
    arenas = []
    while a:
        end = _u64(gdb.Value(a).cast(arena_t)["end"])
        arenas.append((a, bump if end == cur_end else end))
        a = _u64(gdb.Value(a).cast(arena_t)["next"])
    for a, end in reversed(arenas):  # oldest first: ids ascending
        for p in range(a + size, end - size + 1, size):  # whole TCBs only
            t = gdb.Value(p).cast(tcb_t)
            if int(t["state"]) != _T_FREE:
                yield t


def _all_threads():
    """[(OS thread, sched, TCB)] sorted by scheduler then id."""
    out = []
    for th, s in _schedulers():
        for t in _tcbs(s):
            out.append((th, s, t))
    return out


def _find(ident):
    for th, s, t in _all_threads():
        if int(t["id"]) == ident:
            return th, s, t
    raise gdb.GdbError("linkstack: no thread %d (info lstk-threads)" % ident)


# --- what a thread waits on -----------------------------------------------------

def _io_waits():
    """{struct lstk__wait address: (fd, events)} from the descriptor table."""
    out = {}
    try:
        tab = gdb.parse_and_eval("lstk__fdtab")
    except gdb.error:
        return out  # a static program without the I/O layer
    inf = gdb.selected_inferior()
    npages = tab.type.range()[1] + 1
    raw = bytes(inf.read_memory(tab.address, 8 * npages))
    fd_t = gdb.lookup_type("struct lstk__fd")
    waiter_t = gdb.lookup_type("struct lstk__waiter").pointer()
    per_page = 1 << 10  # LSTK__FD_PAGE
    for page in range(npages):
        base = int.from_bytes(raw[8 * page:8 * page + 8], "little")
        if not base:
            continue
        entries = bytes(inf.read_memory(base, fd_t.sizeof * per_page))
        for i in range(per_page):
            head = int.from_bytes(entries[i * fd_t.sizeof:i * fd_t.sizeof + 8],
                                  "little")
            while head:
                w = gdb.Value(head).cast(waiter_t)
                ev = int(w["events"])
                out[_u64(w["w"])] = (int(w["fd"]), ("in" if ev & 1 else "") +
                                     ("out" if ev & 2 else ""))
                head = _u64(w["next"])
    return out


def _symbolic(addr):
    s = gdb.execute("info symbol 0x%x" % addr, to_string=True).strip()
    if s.startswith("No symbol"):
        return "0x%x" % addr
    return s.split(" in section")[0]


def _waits_on(s, t, joinees, iowaits):
    parts = []
    if int(t["state"]) != _T_BLOCKED:
        return ""
    q = _u64(t["waitq"])
    if q:
        parts.append("queue %s" % _symbolic(q))
    iow = _u64(t["iowait"])
    if iow & 1:
        parts.append("interrupt pending")
    elif iow:
        fd, ev = iowaits.get(iow, (None, None))
        parts.append("fd %d %s" % (fd, ev) if fd is not None else "I/O job")
    if _u64(t) in joinees:
        parts.append("join #%d" % joinees[_u64(t)])
    h = int(t["heap_idx"])
    if h:
        when = _u64(s["timers"]["v"][h]["when"])
        parts.append("timer %d.%09d" % (when // 10**9, when % 10**9))
    return ", ".join(parts) or "?"


# --- where a thread is ---------------------------------------------------------

def _runtime_frame(f):
    name = f.name() or ""
    lib = gdb.solib_name(f.pc()) or ""
    return ("liblinkstack" in lib or name.startswith("lstk_") or
            name.startswith("__morestack") or name.startswith("lstk__"))


def _where(f):
    sal = f.find_sal()
    loc = ""
    if sal.symtab is not None:
        loc = " at %s:%d" % (sal.symtab.filename.split("/")[-1], sal.line)
    return "%s%s" % (f.name() or "0x%x" % f.pc(), loc)


def _thread_frames(t):
    """The frames of suspended T (pivot must be set), innermost first."""
    f = gdb.newest_frame().older()
    while f is not None:
        yield f
        f = f.older()


def _call_target(f):
    """The lstk_* function that frame F called: the direct call just before
    F's resume address (the runtime's entries may end in tail calls, whose
    own frames are then gone); None when it is not one."""
    pc = f.pc()
    try:
        insn = f.architecture().disassemble(pc - 5, count=1)[0]
    except (gdb.error, gdb.MemoryError, IndexError, ValueError):
        return None
    if insn["addr"] + insn["length"] != pc or not insn["asm"].startswith("call"):
        return None
    m = re.search(r"<(lstk_[A-Za-z0-9_]+)(@plt)?>", insn["asm"])
    return m.group(1) if m else None


def _blocked_at(t):
    """(runtime call, first frame outside the runtime) of suspended T."""
    call = None
    for f in _thread_frames(t):
        if _runtime_frame(f):
            if f.name() and not f.name().startswith("lstk__") and \
               not f.name().startswith("__morestack"):
                call = f.name()
            continue
        return _call_target(f) or call, _where(f)
    return call, "?"


def _not_started(t):
    """The entry function's name when T has never run, else None: its
    switch frame still "returns" to lstk__thread_entry, FN in r12."""
    f = _ptr("struct lstk__ctx_frame", _u64(t["sp"])).dereference()
    try:
        entry = _u64(gdb.parse_and_eval("&lstk__thread_entry"))
    except gdb.error:
        return None
    if _u64(f["rip"]) != entry:
        return None
    fn = _u64(f["r12"])
    return _symbolic(fn) if fn else "?"


def _chunks(t):
    """(chunks, bytes) of T's linked stack, the cached successor included."""
    base = _u64(t["stack"]["base"])
    n = 0
    chunk_t = gdb.lookup_type("struct lstk__chunk").pointer()
    c = base
    while c and n < 100000:
        n += 1
        c = _u64(gdb.Value(c).cast(chunk_t)["next"])
    return n, _u64(t["stack"]["held_bytes"])


class _Saved(object):
    """Restores the pivot, thread and frame the user had selected."""

    def __enter__(self):
        self.regs = _pivot.regs
        self.thread = gdb.selected_thread()
        try:
            self.level = gdb.selected_frame().level()
        except gdb.error:
            self.level = None
        return self

    def __exit__(self, *exc):
        _pivot.regs = self.regs
        if self.thread is not None:
            self.thread.switch()
        gdb.invalidate_cached_frames()
        if self.level is not None:
            f = gdb.newest_frame()
            for _ in range(self.level):
                if f.older() is None:
                    break
                f = f.older()
            f.select()
        return False


class InfoLstkThreads(gdb.Command):
    """List linkstack's user-level threads.
Usage: info lstk-threads
Per thread: id, state, what it waits on, where it is blocked (the first
frame outside the runtime, and the runtime call it is in), the chunks and
bytes of stack it holds, its scheduler (OS thread)."""

    def __init__(self):
        super(InfoLstkThreads, self).__init__("info lstk-threads",
                                              gdb.COMMAND_STATUS)

    def invoke(self, arg, from_tty):
        rows = _all_threads()
        if not rows:
            print("linkstack: no scheduler set up (no lstk_* thread call yet)")
            return
        joinees = {}
        for _, _, t in rows:
            if _u64(t["joiner"]):
                joinees[_u64(t["joiner"])] = int(t["id"])
        iowaits = _io_waits()
        print("%6s %-9s %-28s %-50s %6s %s" % ("Id", "State", "Waits on",
              "Where (runtime call)", "Chunks", "Bytes  Sched"))
        with _Saved():
            for th, s, t in rows:
                st = int(t["state"])
                where = ""
                if st == _T_RUNNING:
                    where = "(running on OS thread %d)" % th.num
                elif st != _T_FINISHED and _not_started(t):
                    where = "(not started: %s)" % _not_started(t)
                elif st != _T_FINISHED:
                    th.switch()
                    _pivot_to(t)
                    call, loc = _blocked_at(t)
                    where = loc + (" (%s)" % call if call else "")
                if int(t["flags"]) & _TF_MAIN:
                    n, b = 0, 0
                else:
                    n, b = _chunks(t)
                print("%6d %-9s %-28s %-50s %6d %d  #%d/0x%x" % (
                    int(t["id"]), _STATES.get(st, str(st)),
                    _waits_on(s, t, joinees, iowaits), where, n, b, th.num,
                    _u64(s)))


class LstkBt(gdb.Command):
    """Backtrace of a suspended linkstack thread, across its chunks.
Usage: lstk-bt ID|all
Frames are numbered as `lstk-thread ID` then shows them (frame 1 is the
thread's innermost)."""

    def __init__(self):
        super(LstkBt, self).__init__("lstk-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg == "all":
            rows = _all_threads()
        elif arg.isdigit():
            rows = [_find(int(arg))]
        else:
            raise gdb.GdbError("usage: lstk-bt ID|all")
        with _Saved():
            for th, s, t in rows:
                st = int(t["state"])
                print("lstk thread %d (%s):" % (int(t["id"]),
                                               _STATES.get(st, str(st))))
                if st == _T_FINISHED:
                    continue
                th.switch()
                if st == _T_RUNNING:
                    _pivot_to(None)
                    gdb.execute("bt", to_string=False)
                    continue
                if _not_started(t):
                    print("    not started: %s" % _not_started(t))
                    continue
                _pivot_to(t)
                for f in _thread_frames(t):
                    print("#%-3d 0x%016x in %s" % (f.level(), f.pc(), _where(f)))


class LstkThread(gdb.Command):
    """Select a suspended linkstack thread's frames.
Usage: lstk-thread ID   frames 1 and up are then thread ID's (frame 0 stays
                        the OS thread's own); frame, up, down, info locals
                        work there
       lstk-thread off  back to the OS thread's own frames (automatic when
                        the program resumes)"""

    def __init__(self):
        super(LstkThread, self).__init__("lstk-thread", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg in ("off", ""):
            _pivot_to(None)
            return
        if not arg.isdigit():
            raise gdb.GdbError("usage: lstk-thread ID|off")
        th, s, t = _find(int(arg))
        st = int(t["state"])
        if st == _T_FINISHED:
            raise gdb.GdbError("linkstack: thread %s has finished" % arg)
        th.switch()
        if st == _T_RUNNING:
            _pivot_to(None)
            gdb.execute("frame 0")
            return
        _pivot_to(t)
        gdb.execute("frame 1")


InfoLstkThreads()
LstkBt()
LstkThread()
