# PGXS build: make && make install && make installcheck
EXTENSION = pg_fk_guard
# The newest version: the control file's default_version.
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big = pg_fk_guard

# The source files: src/sources.mk (shared with CMakeLists.txt).
include $(dir $(firstword $(MAKEFILE_LIST)))src/sources.mk
OBJS = $(patsubst %.cpp,%.o,$(FKG_CORE_SOURCES) $(FKG_PG_SOURCES))

# extension/pg_fk_guard.sql is the newest version's script, installed as
# pg_fk_guard--$(EXTVERSION).sql; released versions' scripts, upgrade scripts
# and auxiliary control files are installed as they are.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard extension/$(EXTENSION)--*.sql) $(wildcard extension/$(EXTENSION)--*.control)
EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql

# make installcheck runs all three suites against the running server named by
# PGHOST/PGPORT, as contrib modules do: pg_regress (sql/, expected/),
# pg_isolation_regress (test/isolation/specs, test/isolation/expected) and the
# TAP tests (test/t, prove; they start their own servers and, like
# PostgreSQL's, refuse to run as root). Outputs go to build/.
# One suite alone: make installcheck ISOLATION= TAP_TESTS= (pg_regress only).
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress
ISOLATION = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=build/isolation
TAP_TESTS = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

PG_CONFIG ?= pg_config
PG_CXXFLAGS = -std=c++17 -fPIC -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register \
              $(if $(FKG_WERROR),-Werror)
SHLIB_LINK = -lstdc++
# Header dependencies: PGXS recompiles a .cpp only when it changes, so an
# object built against an older header (a struct that gained a member) would
# be linked as it is. -MMD writes src/*/x.d beside each object; included below.
PG_CXXFLAGS += -MMD -MP
EXTRA_CLEAN += $(OBJS:.o=.d)

# No LLVM bitcode: the module is C++ and JIT inlining buys nothing here.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)
# An object without its .d predates dependency tracking: rebuild it once.
$(foreach o,$(OBJS),$(if $(wildcard $(o:.o=.d)),,$(eval $(o): fkg-rebuild)))
.PHONY: fkg-rebuild
fkg-rebuild:

$(EXTENSION)--$(EXTVERSION).sql: extension/$(EXTENSION).sql
	cp $< $@

installcheck: | build/regress build/isolation
build/regress build/isolation:
	mkdir -p $@

# Release tarball of the committed tree (HEAD): pg_fk_guard-<version>.tar.gz,
# unpacking to pg_fk_guard-<version>/, with META.json at its top for PGXN.
DIST = $(EXTENSION)-$(EXTVERSION)
.PHONY: dist
dist:
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(DIST).tar.gz HEAD
	@echo "dist: $(DIST).tar.gz (from $$(git rev-parse --short HEAD))"
