# bench/analysis/: figures of the plugin's analysis (issue 4): the share of
# dynamic calls that run no check, time and instructions against plain
# gcc, compile time.  Run with `make bench-analysis` (or bench/run);
# never part of `make check`.
EXTRA_DIST += \
	bench/analysis/run \
	bench/analysis/callshare.py \
	bench/analysis/calls.c \
	bench/analysis/fetch \
	bench/analysis/sqlite-work.sh \
	bench/analysis/lua-work.lua
# (`make bench` reaches it through bench/run, which runs every bench/*/run.)
.PHONY: bench-analysis
bench-analysis: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' \
	  bash '$(abs_top_srcdir)/bench/analysis/run' '$(abs_top_builddir)'
