# Runtime tests: Criterion programs compiled with the in-tree plugin, and
# shell tests (TAP) for the fatal paths and gdb.
LSTK_TEST_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) $(CRITERION_CFLAGS) -g -O2
LSTK_TEST_LIBS = $(LSTK_APP_LIBS) $(CRITERION_LIBS) $(UNWIND_LIBS)

lstk_rt_tests = \
	testsuite/rt/grow \
	testsuite/rt/abi \
	testsuite/rt/jump \
	testsuite/rt/signals \
	testsuite/rt/unwind \
	testsuite/rt/exceptions \
	testsuite/rt/msabi \
	testsuite/rt/guarded
check_PROGRAMS += $(lstk_rt_tests) \
	testsuite/rt/progs/fatal-canary \
	testsuite/rt/progs/fatal-oom \
	testsuite/rt/progs/bt-prog \
	testsuite/rt/progs/guarded-overflow \
	testsuite/rt/progs/segv-default \
	testsuite/rt/progs/gdb-threads \
	testsuite/rt/progs/vg-uninit
TESTS += $(lstk_rt_tests) testsuite/rt/fatal.sh testsuite/rt/guarded-fault.sh \
	testsuite/rt/loader.sh testsuite/rt/gdb.sh testsuite/rt/static.sh \
	testsuite/rt/layers.sh testsuite/rt/gdb-threads.sh testsuite/rt/valgrind.sh \
	testsuite/rt/sanitizers.sh
EXTRA_DIST += testsuite/rt/common.h testsuite/rt/fatal.sh testsuite/rt/guarded-fault.sh \
	testsuite/rt/loader.sh testsuite/rt/progs/dl-host.c testsuite/rt/progs/dl-mod.c \
	testsuite/rt/progs/a3-main.c testsuite/rt/progs/a3-memcpy.c \
	testsuite/rt/gdb.sh testsuite/rt/static.sh testsuite/rt/progs/static-link.c \
	testsuite/rt/layers.sh testsuite/rt/gdb-threads.sh testsuite/rt/valgrind.sh \
	testsuite/rt/sanitizers.sh testsuite/rt/progs/san-growth.c \
	testsuite/rt/progs/san-exceptions.cc testsuite/rt/progs/san-threads.c \
	testsuite/rt/progs/san-bad.c testsuite/rt/progs/san-race.c

testsuite_rt_grow_SOURCES = testsuite/rt/grow.c
testsuite_rt_grow_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_grow_LDADD = $(LSTK_TEST_LIBS)
testsuite_rt_abi_SOURCES = testsuite/rt/abi.c
testsuite_rt_abi_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_abi_LDADD = $(LSTK_TEST_LIBS)
testsuite_rt_jump_SOURCES = testsuite/rt/jump.c
testsuite_rt_jump_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_jump_LDADD = $(LSTK_TEST_LIBS)
testsuite_rt_signals_SOURCES = testsuite/rt/signals.c
testsuite_rt_signals_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_signals_LDADD = $(LSTK_TEST_LIBS)
testsuite_rt_unwind_SOURCES = testsuite/rt/unwind.c
testsuite_rt_unwind_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_unwind_LDADD = $(LSTK_TEST_LIBS)

testsuite_rt_msabi_SOURCES = testsuite/rt/msabi.c
testsuite_rt_msabi_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_msabi_LDADD = $(LSTK_TEST_LIBS)

# C++ exceptions thrown through chunks (the plugin works in cc1plus too).
testsuite_rt_exceptions_SOURCES = testsuite/rt/exceptions.cc
testsuite_rt_exceptions_CXXFLAGS = $(LSTK_PLUGIN_CFLAGS) $(CRITERION_CFLAGS) -g -O2
testsuite_rt_exceptions_LDADD = $(LSTK_TEST_LIBS)

testsuite_rt_progs_fatal_canary_SOURCES = testsuite/rt/progs/fatal-canary.c
testsuite_rt_progs_fatal_canary_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_progs_fatal_canary_LDADD = $(LSTK_APP_LIBS)
testsuite_rt_progs_fatal_oom_SOURCES = testsuite/rt/progs/fatal-oom.c
testsuite_rt_progs_fatal_oom_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_progs_fatal_oom_LDADD = $(LSTK_APP_LIBS)
# -O0 keeps every frame for gdb to show.
testsuite_rt_progs_bt_prog_SOURCES = testsuite/rt/progs/bt-prog.c
testsuite_rt_progs_bt_prog_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) -g -O0
testsuite_rt_progs_bt_prog_LDADD = $(LSTK_APP_LIBS)

# [issue 9] guarded chunks: the overflow message (-rdynamic: dladdr names
# the function), the default action of other faults.
testsuite_rt_guarded_SOURCES = testsuite/rt/guarded.c
testsuite_rt_guarded_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_guarded_LDADD = $(LSTK_TEST_LIBS)
testsuite_rt_progs_guarded_overflow_SOURCES = \
	testsuite/rt/progs/guarded-overflow.c testsuite/rt/progs/deep-unchecked.S
testsuite_rt_progs_guarded_overflow_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_progs_guarded_overflow_LDFLAGS = $(AM_LDFLAGS) -rdynamic
testsuite_rt_progs_guarded_overflow_LDADD = $(LSTK_APP_LIBS)
testsuite_rt_progs_segv_default_SOURCES = testsuite/rt/progs/segv-default.c
testsuite_rt_progs_segv_default_CFLAGS = $(LSTK_TEST_CFLAGS)
testsuite_rt_progs_segv_default_LDADD = $(LSTK_APP_LIBS)

# gdb-threads.sh's program; its locals are volatile, so they survive the
# user's -O for `info locals`.
testsuite_rt_progs_gdb_threads_SOURCES = testsuite/rt/progs/gdb-threads.c
testsuite_rt_progs_gdb_threads_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) -g
testsuite_rt_progs_gdb_threads_LDADD = $(LSTK_APP_LIBS)
testsuite_rt_progs_vg_uninit_SOURCES = testsuite/rt/progs/vg-uninit.c
testsuite_rt_progs_vg_uninit_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) -g
testsuite_rt_progs_vg_uninit_LDADD = $(LSTK_APP_LIBS)
