# Knot (issue 5): the thread-per-connection web server on linkstack
# threads, and its load generator, built by `make` with the in-tree plugin.
#
# LSTK_IO_BUDGETS: the plugin's measured budgets of glibc functions
# (plugin/budgets.txt) do not apply to the libc names that liblinkstack
# defines itself (read, write, accept, poll, ...: rt/io/intercept.c), which
# may block and switch threads; rt/io/io-budgets.txt gives them the lstk_*
# budget and overrides those lines.  (Once plugin/budgets.txt includes
# rt/io/io-budgets.txt, this becomes the same file.)
LSTK_IO_BUDGETS_FILE = $(top_builddir)/rt/budgets-io.txt
LSTK_IO_BUDGETS = -fplugin-arg-linkstack-budgets=$(abs_top_builddir)/rt/budgets-io.txt
$(LSTK_IO_BUDGETS_FILE): plugin/budgets.txt $(srcdir)/rt/io/io-budgets.txt
	$(MKDIR_P) $(top_builddir)/rt
	cat plugin/budgets.txt $(srcdir)/rt/io/io-budgets.txt > $@
CLEANFILES += $(LSTK_IO_BUDGETS_FILE)
EXTRA_DIST += rt/io/io-budgets.txt

LSTK_KNOT_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) $(LSTK_IO_BUDGETS) -O2

noinst_PROGRAMS += examples/knot/knot examples/knot-load/knot-load
examples_knot_knot_SOURCES = \
	examples/knot/knot.c \
	examples/knot/http.c \
	examples/knot/http.h \
	examples/knot/cache.c \
	examples/knot/cache.h
examples_knot_knot_CFLAGS = $(LSTK_KNOT_CFLAGS)
examples_knot_knot_LDADD = $(LSTK_APP_LIBS)
examples_knot_load_knot_load_SOURCES = examples/knot-load/knot-load.c
examples_knot_load_knot_load_CFLAGS = $(LSTK_KNOT_CFLAGS)
examples_knot_load_knot_load_LDADD = $(LSTK_APP_LIBS)
# The showcase's second act (scripts/showcase runs it): Knot under load.
EXTRA_DIST += examples/knot/showcase

# Compiled with the plugin and its budgets, so the objects need both.
$(examples_knot_knot_OBJECTS) $(examples_knot_load_knot_load_OBJECTS): \
	plugin/linkstack.la $(LSTK_IO_BUDGETS_FILE)

# bench/knot/: Knot against nginx, an epoll server and an NPTL server, and
# the memory of idle connections, then Knot and nginx under a slowloris
# attack (bench/knot/slowloris, run by bench/knot/run; goals, not tests).
# bench/run runs every bench/NAME/run, so `make bench` includes it; `make
# bench-knot` runs it alone.  See bench/knot/README.md.
EXTRA_DIST += \
	bench/knot/README.md \
	bench/knot/run \
	bench/knot/evserver.c \
	bench/knot/nptl.c \
	bench/knot/slowloris \
	bench/knot/slowloris-attack.c

.PHONY: bench-knot
bench-knot: all
	BENCH_OUT='$(abs_top_builddir)/bench/out' CC='$(CC)' BENCH_ONLY=knot \
	  bash '$(abs_top_srcdir)/bench/run' '$(abs_top_builddir)'
