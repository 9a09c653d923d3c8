// One row of a SQL result, filled in column order and counted.
//
// A row is built by adding its columns in the order the SQL type declares
// them (fk_guard.mismatch, a function's OUT parameters); form_tuple() and
// put_into() first check that exactly tupdesc->natts columns were added, as
// pg_stat_statements counts its columns, and raise an internal error
// otherwise. A column added to the SQL type but not here (or the reverse)
// then fails loudly instead of shifting every later column.
//
//   RowBuilder row(tupdesc);
//   row.add_text("declared").add_name(conname).add(ObjectIdGetDatum(rel));
//   row.put_into(rsinfo->setResult);
//
// Plain PostgreSQL code: it pallocs and may raise an ERROR, so it runs inside
// a pg_guard(...) callable (or plain C code), never with C++ objects alive in
// that frame. Like the Raw* structs it owns nothing with a destructor: its
// arrays are palloc'd in the current memory context.
#pragma once

#include "prelude.hpp"

namespace fkg {

class RowBuilder {
 public:
  explicit RowBuilder(TupleDesc desc)
      : desc_(desc),
        values_((Datum *)palloc0(sizeof(Datum) * (desc->natts > 0 ? desc->natts : 1))),
        nulls_((bool *)palloc0(sizeof(bool) * (desc->natts > 0 ? desc->natts : 1))) {}

  // The next column: value, or SQL NULL when is_null.
  RowBuilder &add(Datum value, bool is_null = false) {
    if (count_ < desc_->natts) {
      values_[count_] = value;
      nulls_[count_] = is_null;
    }
    count_++;
    return *this;
  }
  RowBuilder &add_null() { return add((Datum)0, true); }
  RowBuilder &add_nulls(int n) {
    for (int i = 0; i < n; i++) add_null();
    return *this;
  }
  // A text column; SQL NULL when s is NULL.
  RowBuilder &add_text(const char *s) { return s ? add(CStringGetTextDatum(s)) : add_null(); }
  // A name column (copied into a NameData, cut at NAMEDATALEN); SQL NULL when s is NULL.
  RowBuilder &add_name(const char *s) {
    if (!s) return add_null();
    NameData *n = (NameData *)palloc0(sizeof(NameData));
    namestrcpy(n, s);
    return add(NameGetDatum(n));
  }

  // The checked row as a tuple (for a function returning one composite value).
  HeapTuple form_tuple() {
    check_count();
    return heap_form_tuple(desc_, values_, nulls_);
  }
  // The checked row appended to a materialized set-returning function's result.
  void put_into(Tuplestorestate *store) {
    check_count();
    tuplestore_putvalues(store, desc_, values_, nulls_);
  }

 private:
  void check_count() const {
    if (count_ != desc_->natts)
      elog(ERROR, "pg_fk_guard: a result row was given %d columns, but its SQL type has %d", count_, desc_->natts);
  }

  TupleDesc desc_;
  Datum *values_;
  bool *nulls_;
  int count_ = 0;
};

}  // namespace fkg
