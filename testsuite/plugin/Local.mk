# testsuite/plugin/: compile-and-check tests of the plugin.  run.sh
# compiles each input with $(LSTK_PLUGIN), checks the expectations written
# at its top (see run.sh), and prints TAP.  It needs the built plugin,
# which `make check` builds first (plugin_LTLIBRARIES are part of `all`),
# and, for the rt-run inputs, liblinkstack.  lto.sh checks whole-program
# mode (-flto -flto-partition=one with the plugin on the link line);
# units.sh what crosses units, libraries and the link (issue 9).
TESTS += testsuite/plugin/run.sh testsuite/plugin/lto.sh \
	testsuite/plugin/units.sh
EXTRA_DIST += \
	testsuite/plugin/run.sh \
	testsuite/plugin/lto.sh \
	testsuite/plugin/units.sh \
	testsuite/plugin/stub.h \
	testsuite/plugin/morestack-stub.S \
	testsuite/plugin/args-1.c \
	testsuite/plugin/args-2.c \
	testsuite/plugin/budgets-1.c \
	testsuite/plugin/check-1.c \
	testsuite/plugin/clash-1.c \
	testsuite/plugin/interpose-1.c \
	testsuite/plugin/interpose-2.c \
	testsuite/plugin/interpose-3.c \
	testsuite/plugin/libc-names-1.c \
	testsuite/plugin/naked-1.c \
	testsuite/plugin/notes-3.c \
	testsuite/plugin/refuse-1.c \
	testsuite/plugin/refuse-2.c \
	testsuite/plugin/refuse-3.c \
	testsuite/plugin/refuse-4.c \
	testsuite/plugin/refuse-5.c \
	testsuite/plugin/reserve-8.c \
	testsuite/plugin/dump-1.c \
	testsuite/plugin/notes-1.c \
	testsuite/plugin/notes-2.c \
	testsuite/plugin/placement-1.c \
	testsuite/plugin/placement-2.c \
	testsuite/plugin/placement-3.c \
	testsuite/plugin/placement-4.c \
	testsuite/plugin/placement-5.c \
	testsuite/plugin/placement-6.c \
	testsuite/plugin/placement-7.c \
	testsuite/plugin/placement-8.c \
	testsuite/plugin/placement-9.c \
	testsuite/plugin/placement-10.c \
	testsuite/plugin/placement-11.c \
	testsuite/plugin/reserve-1.c \
	testsuite/plugin/reserve-2.c \
	testsuite/plugin/reserve-3.c \
	testsuite/plugin/reserve-4.c \
	testsuite/plugin/reserve-5.c \
	testsuite/plugin/reserve-6.c \
	testsuite/plugin/reserve-7.c \
	testsuite/plugin/runtime-1.c \
	testsuite/plugin/safety-1.c \
	testsuite/plugin/safety-2.c \
	testsuite/plugin/safety-3.c \
	testsuite/plugin/safety-4.c \
	testsuite/plugin/target-1.c \
	testsuite/plugin/varargs-1.c \
	testsuite/plugin/verbose-1.c \
	testsuite/plugin/warn-all-1.c \
	testsuite/plugin/warn-dead-1.c \
	testsuite/plugin/warn-depth-1.c \
	testsuite/plugin/warn-dynamic-1.c \
	testsuite/plugin/warn-frame-1.c \
	testsuite/plugin/warn-recursion-1.c \
	testsuite/plugin/budgets-test.txt \
	testsuite/plugin/budgets-bad.txt \
	testsuite/plugin/budgets-bad-2.txt \
	testsuite/plugin/budgets-libc.txt \
	testsuite/plugin/libc-names-test.txt \
	testsuite/plugin/lto/a.c \
	testsuite/plugin/lto/b.c \
	testsuite/plugin/units/victim.h \
	testsuite/plugin/units/libc-victim.c \
	testsuite/plugin/units/comdat.h \
	testsuite/plugin/units/comdat-a.cpp \
	testsuite/plugin/units/comdat-b.cpp \
	testsuite/plugin/units/comdat-main.cpp \
	testsuite/plugin/units/interpose-lib.c \
	testsuite/plugin/units/interpose-main.c \
	testsuite/plugin/units/malloc-lib.c \
	testsuite/plugin/units/malloc-main.c \
	testsuite/plugin/units/budgets-malloc.txt
