# I/O tests (issue 5): Criterion programs compiled with the in-tree plugin
# (and the budgets of the intercepted libc names, examples/knot.mk).
# Assertions stay in the tests' own context, never inside a linkstack
# thread (testsuite/threads/common.h).  knot.c and hostile.c (issue 13) run
# examples/knot/knot.
LSTK_IO_TEST_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) $(LSTK_IO_BUDGETS) \
	$(CRITERION_CFLAGS) -g -O2
LSTK_IO_TEST_LIBS = $(LSTK_APP_LIBS) $(CRITERION_LIBS) -lpthread

lstk_io_tests = \
	testsuite/io/echo \
	testsuite/io/intercept \
	testsuite/io/errors \
	testsuite/io/budget \
	testsuite/io/knot \
	testsuite/io/hostile \
	testsuite/io/knotcache \
	testsuite/io/fdshare \
	testsuite/io/herd
check_PROGRAMS += $(lstk_io_tests)
TESTS += $(lstk_io_tests)
EXTRA_DIST += testsuite/io/common.h testsuite/io/http_client.h testsuite/io/echo_prog.c

testsuite_io_echo_SOURCES = testsuite/io/echo.c
testsuite_io_echo_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_echo_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_intercept_SOURCES = testsuite/io/intercept.c
testsuite_io_intercept_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_intercept_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_errors_SOURCES = testsuite/io/errors.c
testsuite_io_errors_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_errors_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_budget_SOURCES = testsuite/io/budget.c
testsuite_io_budget_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_budget_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_knot_SOURCES = testsuite/io/knot.c
testsuite_io_knot_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_knot_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_hostile_SOURCES = testsuite/io/hostile.c
testsuite_io_hostile_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_hostile_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_knotcache_SOURCES = testsuite/io/knotcache.c examples/knot/cache.c \
	examples/knot/http.c
testsuite_io_knotcache_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_knotcache_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_fdshare_SOURCES = testsuite/io/fdshare.c
testsuite_io_fdshare_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_fdshare_LDADD = $(LSTK_IO_TEST_LIBS)
testsuite_io_herd_SOURCES = testsuite/io/herd.c
testsuite_io_herd_CFLAGS = $(LSTK_IO_TEST_CFLAGS)
testsuite_io_herd_LDADD = $(LSTK_IO_TEST_LIBS)
# Compiled with the plugin and its budgets; knot.c runs the server.
$(testsuite_io_echo_OBJECTS) $(testsuite_io_intercept_OBJECTS) \
$(testsuite_io_errors_OBJECTS) $(testsuite_io_budget_OBJECTS) \
$(testsuite_io_knot_OBJECTS) $(testsuite_io_hostile_OBJECTS) \
$(testsuite_io_knotcache_OBJECTS) $(testsuite_io_fdshare_OBJECTS) \
$(testsuite_io_herd_OBJECTS): plugin/linkstack.la $(LSTK_IO_BUDGETS_FILE)
# The table the budget test proves (and the plugin reads, plugin/Local.mk).
testsuite_io_budget_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLSTK_BUDGET_TABLE='"$(abs_top_srcdir)/rt/io/io-budgets.txt"'
