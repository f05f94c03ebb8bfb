# bench/sched/: scheduling by program location (issue 14): cohort against
# FIFO on a staged CPU-bound workload (cachegrind), and Knot under a load
# rising past saturation for each policy and nginx, with a plot.  Run with
# `make bench-sched` (or bench/run); never part of `make check`.
EXTRA_DIST += \
	bench/sched/run \
	bench/threads/staged.c
# (`make bench` reaches it through bench/run, which runs every bench/*/run.)
.PHONY: bench-sched
bench-sched: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' \
	  bash '$(abs_top_srcdir)/bench/sched/run' '$(abs_top_builddir)'
