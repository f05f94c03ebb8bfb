# plugin/: the GCC 12 plugin linkstack.so (see plugin/linkstack.cc).
# A libtool module, installed into $(plugindir) (configure: GCC's plugin
# directory, or $(libdir)/linkstack under a --prefix).
plugin_LTLIBRARIES += plugin/linkstack.la
plugin_linkstack_la_SOURCES = \
	plugin/compat.h \
	plugin/analysis.h \
	plugin/analysis.cc \
	plugin/linkstack.cc \
	plugin/pass_dead.cc \
	plugin/pass_placement.cc \
	plugin/pass_reserve.cc \
	plugin/pass_verify.cc \
	plugin/pass_refuse.cc \
	plugin/link_guards.cc \
	plugin/maxpath.cc \
	plugin/cold_calls.cc \
	plugin/report.cc \
	plugin/budgets.h \
	plugin/budgets.cc
nodist_plugin_linkstack_la_SOURCES = plugin/reserve-default.h
# GCC's internal headers, from gcc-12-plugin-dev.  This replaces
# AM_CPPFLAGS: the runtime's headers have nothing for the plugin.  (The
# project's config.h stays out of the way: gcc-plugin.h's own
# #include "config.h" finds GCC's, next to it, first.)
# LSTK_BUDGETS_DIR: where `make install` puts budgets.txt.
plugin_linkstack_la_CPPFLAGS = \
	-I$(GCC_PLUGIN_DIR)/include \
	-include plugin/reserve-default.h \
	-DLSTK_PLUGIN_VERSION='"$(PACKAGE_VERSION)"' \
	-DLSTK_BUDGETS_DIR='"$(pkgdatadir)"'
# -fno-rtti: cc1 is built without RTTI, so the typeinfo of its classes
#  (opt_pass, ...) does not exist; a plugin deriving from them with RTTI
#  on would not load (undefined typeinfo symbols).
# -fno-exceptions: GCC is built without exceptions; none may cross it.
# -fPIC: the plugin is dlopen'ed by cc1 (libtool adds it anyway).
# -std=gnu++17: GCC 12's headers need C++11; the plugin uses no more.
plugin_linkstack_la_CXXFLAGS = \
	-fno-rtti -fno-exceptions -fPIC -std=gnu++17 \
	$(LSTK_WARN_CFLAGS)
# -module -avoid-version: a dlopen'ed "linkstack.so", not
# "liblinkstack.so.0.0.0"; -shared: no static archive.  Symbols from cc1
# stay undefined: cc1 exports them to its plugins.
plugin_linkstack_la_LDFLAGS = -module -avoid-version -shared

# The plugin's default reserve= is the runtime's R: LSTK__RESERVE, read
# from rt/stack/stack.h, so that the two cannot drift apart.
# Likewise the smallest guarded request G' (LSTK__GUARDED_MIN), the lower
# bound of external-reserve= (plugin/compat.h has the default when the
# runtime does not define it).
plugin/reserve-default.h: $(srcdir)/rt/stack/stack.h
	$(AM_V_GEN)$(MKDIR_P) plugin && \
	r=`sed -n 's/^#define LSTK__RESERVE \([0-9][0-9]*\).*/\1/p' \
	  $(srcdir)/rt/stack/stack.h` && test -n "$$r" && \
	g=`sed -n 's/^#define LSTK__GUARDED_MIN \([0-9][0-9]*\).*/\1/p' \
	  $(srcdir)/rt/stack/stack.h` && \
	{ echo "#define LSTK_RESERVE_DEFAULT $$r"; \
	  if test -n "$$g"; then echo "#define LSTK_GUARDED_MIN $$g"; fi; } \
	  > $@-t && mv $@-t $@
BUILT_SOURCES = plugin/reserve-default.h plugin/budgets.txt plugin/libc-names.txt
CLEANFILES += plugin/reserve-default.h

# The budgets table: the libc functions whose stack use is proven from
# libc's machine code (scripts/prove-budgets, doc/plugin.md; about ten
# seconds), headed by the `#!libc BUILD-ID PATH` line naming the libc the
# proofs hold for, then the budgets of the libc names that liblinkstack
# itself defines (rt/io/io-budgets.txt: its I/O wrappers may block and switch,
# so glibc's figures do not apply to them; the last line for a name wins),
# and of its lstk_* thread calls (rt/thread/thread-budgets.txt); the
# runtime's two tables are proven by testsuite/io/budget and
# testsuite/threads/budget (painted stacks, the worst inputs).
# libc-names.txt: every function name the C library exports (B7).
# The plugin finds both next to itself in the build tree (plugin/, one
# level above .libs/) and in $(pkgdatadir) once installed.
pkgdata_DATA = plugin/budgets.txt plugin/libc-names.txt
# "#!runtime" separates the libc lines (their names go into the objects'
# notes as "L:", checked against the libc's build-id) from the runtime's
# (as "R:", checked to resolve into liblinkstack), leaf or not.
# The libc names liblinkstack itself defines (sigaction, signal, read, ...)
# get no libc line: in a linkstack program the runtime's definition runs,
# so glibc's proof says nothing about them (rt/io/io-budgets.txt gives the I/O
# ones a runtime budget; the rest take the guarded path).  Nor do the names
# libm also exports (frexp, ldexp, copysign ...): with -lm its copy runs.
plugin/budgets.txt: $(srcdir)/scripts/prove-budgets $(srcdir)/rt/io/io-budgets.txt \
		    $(srcdir)/rt/thread/thread-budgets.txt liblinkstack.la
	$(AM_V_GEN)$(MKDIR_P) plugin && \
	$(READELF) --dyn-syms -W .libs/liblinkstack.so | \
	  $(AWK) '($$4 == "FUNC" || $$4 == "IFUNC") && $$7 != "UND" { sub(/@.*/, "", $$8); print $$8 }' \
	  > $@-rt && \
	libc=`$(CC) -print-file-name=libc.so.6` && \
	libm=`$(CC) -print-file-name=libm.so.6` && \
	$(PYTHON3) $(srcdir)/scripts/prove-budgets --explain --exclude $@-rt \
	  --shared-with "$$libm" -o $@-t "$$libc" && \
	{ cat $@-t; echo '#!runtime liblinkstack'; \
	  cat $(srcdir)/rt/io/io-budgets.txt \
	      $(srcdir)/rt/thread/thread-budgets.txt; } > $@ && rm -f $@-t $@-rt
plugin/libc-names.txt: $(srcdir)/scripts/libc-names
	$(AM_V_GEN)$(MKDIR_P) plugin && \
	CC='$(CC)' $(SHELL) $(srcdir)/scripts/libc-names -o $@-t && mv $@-t $@
CLEANFILES += plugin/budgets.txt plugin/libc-names.txt
EXTRA_DIST += rt/thread/thread-budgets.txt
