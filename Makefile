# PGXS build: make && make install && make installcheck
EXTENSION = pg_fk_guard
# The newest version: the control file's default_version.
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big = pg_fk_guard

CORE_OBJS = src/core/verdict.o src/core/sql_writer.o src/core/fix_writer.o src/core/naming.o src/core/input_check.o
PG_OBJS = src/pg/boundary.o src/pg/pair_facts.o src/pg/catalog_scan.o src/pg/catalog_pairs.o src/pg/render.o src/pg/profile.o src/pg/diagnose.o src/pg/fix_plan.o \
          src/pg/functions.o src/pg/guard_collect.o src/pg/guard.o src/pg/module.o
OBJS = $(CORE_OBJS) $(PG_OBJS)

# extension/pg_fk_guard.sql is the newest version's script, installed as
# pg_fk_guard--$(EXTVERSION).sql; released versions' scripts, upgrade scripts
# and auxiliary control files are installed as they are.
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA = $(wildcard extension/$(EXTENSION)--*.sql) $(wildcard extension/$(EXTENSION)--*.control)
EXTRA_CLEAN = $(EXTENSION)--$(EXTVERSION).sql

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --outputdir=build/regress

PG_CONFIG ?= pg_config
PG_CXXFLAGS = -std=c++17 -fPIC -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register \
              $(if $(FKG_WERROR),-Werror)
SHLIB_LINK = -lstdc++

# No LLVM bitcode: the module is C++ and JIT inlining buys nothing here.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--$(EXTVERSION).sql: extension/$(EXTENSION).sql
	cp $< $@

installcheck: | build/regress
build/regress:
	mkdir -p $@

# Release tarball of the committed tree (HEAD): pg_fk_guard-<version>.tar.gz,
# unpacking to pg_fk_guard-<version>/, with META.json at its top for PGXN.
DIST = $(EXTENSION)-$(EXTVERSION)
.PHONY: dist
dist:
	git archive --format=tar.gz --prefix=$(DIST)/ -o $(DIST).tar.gz HEAD
	@echo "dist: $(DIST).tar.gz (from $$(git rev-parse --short HEAD))"
