# plugin/: the GCC 12 plugin linkstack.so (see plugin/linkstack.cc).
# A libtool module, installed into $(plugindir) (configure: GCC's plugin
# directory, or $(libdir)/linkstack under a --prefix).
plugin_LTLIBRARIES += plugin/linkstack.la
plugin_linkstack_la_SOURCES = \
	plugin/compat.h \
	plugin/linkstack.cc \
	plugin/pass_placement.cc \
	plugin/pass_reserve.cc \
	plugin/budgets.h \
	plugin/budgets.cc
# GCC's internal headers, from gcc-12-plugin-dev.  This replaces
# AM_CPPFLAGS: the runtime's headers have nothing for the plugin.  (The
# project's config.h stays out of the way: gcc-plugin.h's own
# #include "config.h" finds GCC's, next to it, first.)
plugin_linkstack_la_CPPFLAGS = \
	-I$(GCC_PLUGIN_DIR)/include \
	-DLSTK_PLUGIN_VERSION='"$(PACKAGE_VERSION)"'
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
