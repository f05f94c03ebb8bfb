# bench/threads/: issue 3's thread benchmarks against Go 1.19, GNU Pth,
# State Threads, NPTL, ucontext and Boost.Context.  Nothing here is built
# by `make all` or `make check`: bench/threads/run builds its programs
# itself, into $(top_builddir)/bench/out/threads/, with this build's plugin
# and liblinkstack, installs the peers' Debian packages when missing, and
# prints one table.  `make bench` runs it (bench/run runs every
# bench/NAME/run after its own set); `make bench-threads` runs it alone.
# See bench/threads/README.md.
EXTRA_DIST += \
	bench/threads/README.md \
	bench/threads/run \
	bench/threads/common.h \
	bench/threads/calib.c \
	bench/threads/lstk.c \
	bench/threads/depth.c \
	bench/threads/go_threads.go \
	bench/threads/pth.c \
	bench/threads/st.c \
	bench/threads/nptl.c \
	bench/threads/ucontext.c \
	bench/threads/boost_context.cc

.PHONY: bench-threads
bench-threads: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' BENCH_ONLY=threads \
	  bash '$(abs_top_srcdir)/bench/run' '$(abs_top_builddir)'
