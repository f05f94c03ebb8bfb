# gdb support (tools/linkstack-gdb.py, README "Debugging").  gdb loads
# OBJFILE-gdb.py for a library from its auto-load scripts directory
# ($(gdbautoloaddir), --with-gdb-auto-load-dir) followed by the library's
# real path, symlinks resolved: so the script is installed under the name
# of the file libtool installs (the first of library_names in the .la).
EXTRA_DIST += tools/linkstack-gdb.py tools/Local.mk
gdbautoloaddir = @GDB_AUTOLOAD_DIR@

lstk_gdb_script_path = \
	real=$$(. $(top_builddir)/liblinkstack.la && set -- $$library_names && echo $$1) && \
	dir='$(DESTDIR)$(gdbautoloaddir)$(libdir)'

install-data-local:
	$(lstk_gdb_script_path) && $(MKDIR_P) "$$dir" && \
	$(INSTALL_DATA) $(srcdir)/tools/linkstack-gdb.py "$$dir/$$real-gdb.py"
uninstall-local:
	$(lstk_gdb_script_path) && rm -f "$$dir/$$real-gdb.py"
