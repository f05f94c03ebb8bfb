# bench/: benchmarks, run on demand with `make bench`; never part of
# `make all` or `make check` (they are goals, not tests).  bench/run builds
# its programs itself, into $(top_builddir)/bench/out/, with this build's
# plugin and liblinkstack, and prints every figure as a ratio against the
# peers measured in the same run.  See bench/README.md.
EXTRA_DIST += \
	bench/README.md \
	bench/run \
	bench/summary \
	bench/growth/common.h \
	bench/growth/calib.c \
	bench/growth/callheavy.c \
	bench/growth/deep.c \
	bench/growth/hotsplit.c \
	bench/guarded/run \
	bench/guarded/guarded.c \
	bench/guarded/guarded-calls.c

# bench/run runs this set, then every other bench/NAME/run (issue 3's
# bench/threads/run) with the same build directory: `make bench` is the one
# command.  `make bench-growth` (BENCH_ONLY=growth) runs this set alone.
.PHONY: bench bench-growth
bench: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' \
	  bash '$(abs_top_srcdir)/bench/run' '$(abs_top_builddir)'
bench-growth: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' BENCH_ONLY=growth \
	  bash '$(abs_top_srcdir)/bench/run' '$(abs_top_builddir)'
