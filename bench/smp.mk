# bench/smp/: issue 11's figures, threads on two schedulers against one and
# against Go (GOMAXPROCS=2): skynet, a message ring, a cross-scheduler
# condition ping-pong.  Never built by `make all` or `make check`;
# bench/run runs bench/smp/run with the other sets.
EXTRA_DIST += \
	bench/smp/run \
	bench/smp/smp.c \
	bench/smp/go_smp.go

.PHONY: bench-smp
bench-smp: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' BENCH_ONLY=smp \
	  bash '$(abs_top_srcdir)/bench/run' '$(abs_top_builddir)'
