# testsuite/real/: differential tests of real code bases, SQLite's shell
# and Lua's interpreter, built plain and with the plugin, the plugin build
# run on a 1 KiB linked stack in the runtime's debug mode; the outputs
# must agree (lib.sh has the method).  The sources come from the package
# registries through bench/analysis/fetch: skipped, with a TAP SKIP,
# without them.  Objects are kept in testsuite/real/cache of the build
# tree between runs.  reasons.sh: the breakdown of checked calls by
# reason that bench/analysis prints for them, on a program whose answer is
# known.
TESTS += testsuite/real/sqlite.sh testsuite/real/lua.sh testsuite/real/reasons.sh
EXTRA_DIST += \
	testsuite/real/reasons.sh \
	testsuite/real/reasons-a.c \
	testsuite/real/reasons-b.c \
	testsuite/real/reasons-c.c \
	testsuite/real/lib.sh \
	testsuite/real/sqlite.sh \
	testsuite/real/lua.sh \
	testsuite/real/driver.c
clean-local: clean-local-real
.PHONY: clean-local-real
clean-local-real:
	rm -rf testsuite/real/cache
