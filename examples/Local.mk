# Examples, built by `make` with the in-tree plugin.
#
# examples/million: a million threads on 1 KiB stacks (README's showcase).
noinst_PROGRAMS += examples/million/million
examples_million_million_SOURCES = examples/million/million.c
examples_million_million_CFLAGS = $(AM_CFLAGS) $(LSTK_PLUGIN_CFLAGS) -O2
examples_million_million_LDADD = $(LSTK_APP_LIBS)
# Compiled with the plugin, so the object needs it first.
examples/million/million-million.$(OBJEXT): plugin/linkstack.la
