# debug/error-gen: fault injection on the contract's hooks (tests drive error paths with it).
xlator_debugdir = $(xlatordir)/debug
xlator_debug_LTLIBRARIES = xlators/debug/error-gen.la
xlators_debug_error_gen_la_SOURCES = \
	xlators/debug/error-gen/error_gen.h \
	xlators/debug/error-gen/error_gen.c
xlators_debug_error_gen_la_LDFLAGS = $(xlator_ldflags)
xlators_debug_error_gen_la_LIBADD = $(xlator_libadd)
