# The I/O layer (issue 5), bottom up: the epoll poller and descriptor table,
# the regular-file helpers, the pass-through to libc, the lstk_* I/O calls
# and, on top, the libc-name wrappers.  Part of liblinkstack.la
# (rt/Local.mk); like the rest of the runtime, not compiled with the plugin
# (HACKING.md: the 512-byte rule for lstk_* calls).
liblinkstack_la_SOURCES += \
	rt/io/io.h \
	rt/io/poller.c \
	rt/io/fileio.c \
	rt/io/passthru.c \
	rt/io/io.c \
	rt/io/intercept.c
