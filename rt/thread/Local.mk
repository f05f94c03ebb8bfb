# User-level threads (issue 3): scheduler, context switch, synchronisation,
# timers, keys and backtraces.  Part of liblinkstack.la (rt/Local.mk);
# like the rest of the runtime, not compiled with the plugin.
liblinkstack_la_SOURCES += \
	rt/thread/thread.h \
	rt/thread/sched.c \
	rt/thread/smp.c \
	rt/thread/thread.c \
	rt/thread/sync.c \
	rt/thread/timer.c \
	rt/thread/key.c \
	rt/thread/backtrace.c \
	rt/thread/sanitizer.c \
	rt/thread/graph.h \
	rt/thread/graph.c \
	rt/thread/policy.c \
	rt/thread/x86_64/switch_x86_64_sysv_elf_gas.S
linkstackinclude_HEADERS += include/linkstack/pthread.h
EXTRA_DIST += doc/threads.md
