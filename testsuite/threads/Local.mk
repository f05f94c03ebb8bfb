# Thread tests (issue 3): Criterion programs compiled with the in-tree
# plugin.  Assertions stay in the tests' own context, never inside a
# linkstack thread (testsuite/threads/common.h).
LSTK_THREADS_TEST_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) $(CRITERION_CFLAGS) -g -O2
LSTK_THREADS_TEST_LIBS = $(LSTK_APP_LIBS) $(CRITERION_LIBS) $(UNWIND_LIBS)

lstk_threads_tests = \
	testsuite/threads/life \
	testsuite/threads/sync \
	testsuite/threads/many \
	testsuite/threads/backtrace \
	testsuite/threads/budget \
	testsuite/threads/memory \
	testsuite/threads/pthread_compat \
	testsuite/threads/smp \
	testsuite/threads/graph \
	testsuite/threads/policy
check_PROGRAMS += $(lstk_threads_tests)
TESTS += $(lstk_threads_tests) testsuite/threads/policies.sh \
	testsuite/threads/graph-report.sh
check_PROGRAMS += testsuite/threads/progs/graph-prog
testsuite_threads_progs_graph_prog_SOURCES = testsuite/threads/progs/graph-prog.c
testsuite_threads_progs_graph_prog_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) -g
testsuite_threads_progs_graph_prog_LDADD = $(LSTK_APP_LIBS)
EXTRA_DIST += testsuite/threads/common.h testsuite/threads/policies.sh \
	testsuite/threads/graph-report.sh

testsuite_threads_life_SOURCES = testsuite/threads/life.c
testsuite_threads_life_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_life_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_sync_SOURCES = testsuite/threads/sync.c
testsuite_threads_sync_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_sync_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_many_SOURCES = testsuite/threads/many.c
testsuite_threads_many_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_many_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_backtrace_SOURCES = testsuite/threads/backtrace.c
testsuite_threads_backtrace_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_backtrace_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_memory_SOURCES = testsuite/threads/memory.c
testsuite_threads_memory_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_memory_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_smp_SOURCES = testsuite/threads/smp.c
testsuite_threads_smp_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_smp_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_graph_SOURCES = testsuite/threads/graph.c
testsuite_threads_graph_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_graph_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_policy_SOURCES = testsuite/threads/policy.c
testsuite_threads_policy_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_policy_LDADD = $(LSTK_THREADS_TEST_LIBS)
testsuite_threads_budget_SOURCES = testsuite/threads/budget.c
testsuite_threads_budget_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_budget_LDADD = $(LSTK_THREADS_TEST_LIBS)
# An ordinary pthread program (pthread_prog.c), compiled unchanged: the
# test includes it behind <linkstack/pthread.h>, exactly what
# `-include linkstack/pthread.h` does, with its main() renamed so that a
# Criterion test can run it and check linkstack's counters afterwards.
testsuite_threads_pthread_compat_SOURCES = testsuite/threads/pthread_compat.c
testsuite_threads_pthread_compat_CFLAGS = $(LSTK_THREADS_TEST_CFLAGS)
testsuite_threads_pthread_compat_LDADD = $(LSTK_THREADS_TEST_LIBS)
EXTRA_DIST += testsuite/threads/pthread_prog.c
# The table the budget test proves (and the plugin reads, plugin/Local.mk).
testsuite_threads_budget_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLSTK_BUDGET_TABLE='"$(abs_top_srcdir)/rt/thread/thread-budgets.txt"'
