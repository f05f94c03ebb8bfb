# liblinkstack: the runtime.  Not compiled with the plugin: its code runs
# on the system stack, on big stacks, or within the 512-byte budget that
# the plugin reserves for lstk_* calls (HACKING.md).  Its layers, bottom
# up: rt/libc and rt/stack here, rt/thread/Local.mk, rt/io/Local.mk.
lib_LTLIBRARIES += liblinkstack.la
include_HEADERS += include/linkstack.h
liblinkstack_la_SOURCES = \
	rt/libc/libc.h \
	rt/libc/libc.c \
	rt/stack/stack.h \
	rt/stack/chunk.c \
	rt/stack/fit.c \
	rt/stack/grow.c \
	rt/stack/stack.c \
	rt/stack/signal.c \
	rt/stack/longjmp.c \
	rt/stack/fatal.c \
	rt/stack/debug.c \
	rt/stack/guarded.c \
	rt/stack/fault.c \
	rt/stack/loader.c \
	rt/stack/valgrind.c \
	rt/stack/sanitizer.c \
	rt/stack/x86_64/morestack_x86_64_sysv_elf_gas.S \
	rt/stack/x86_64/callon_x86_64_sysv_elf_gas.S
# -fvisibility=hidden: only LSTK_EXPORT symbols and __morestack & co. are
# the ABI.  -fno-split-stack is the default; said here because this code
# must never check itself.  -fasynchronous-unwind-tables: backtraces
# through the runtime's C frames.
liblinkstack_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden \
	-fasynchronous-unwind-tables -fno-omit-frame-pointer
liblinkstack_la_CCASFLAGS = $(AM_CPPFLAGS)
# -z now: the runtime itself calls libc from small chunks; no lazy PLT
# lookup may run there.
liblinkstack_la_LDFLAGS = -no-undefined -version-info $(LSTK_LT_VERSION) -Wl,-z,now
liblinkstack_la_LIBADD = $(UNWIND_LIBS) -ldl -lpthread
