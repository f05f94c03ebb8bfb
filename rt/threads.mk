# User-level threads (issue 3): scheduler, context switch, synchronisation,
# timers, keys and backtraces.  Part of liblinkstack.la (rt/Local.mk);
# like the rest of the runtime, not compiled with the plugin.
liblinkstack_la_SOURCES += \
	rt/scheduler.h \
	rt/sched.c \
	rt/thread.c \
	rt/sync.c \
	rt/timer.c \
	rt/key.c \
	rt/backtrace.c \
	rt/arch/x86_64/switch_x86_64_sysv_elf_gas.S
linkstackinclude_HEADERS += include/linkstack/pthread.h
EXTRA_DIST += doc/threads.md
