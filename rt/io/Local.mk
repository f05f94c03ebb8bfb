# I/O and time (issue 5): the epoll poller and descriptor table, the lstk_*
# I/O calls, the libc-name wrappers and the regular-file helpers.  Part of
# liblinkstack.la (rt/Local.mk); like the rest of the runtime, not compiled
# with the plugin (HACKING.md: the 512-byte rule for lstk_* calls).
liblinkstack_la_SOURCES += \
	rt/io/io.h \
	rt/io/intercept.h \
	rt/io/poller.c \
	rt/io/io.c \
	rt/io/intercept.c \
	rt/io/fileio.c
