#include "boundary.hpp"

namespace fkg::detail {

namespace {
// What the last caught exception said. Fixed buffers: copying into them
// cannot allocate, so nothing inside a catch block can fail or longjmp.
constexpr size_t kBuf = 4096;
struct Recorded {
  enum class What { None, Pg, User, OutOfMemory, Internal } what = What::None;
  ErrorData *edata = nullptr;
  int sqlstate = 0;
  char message[kBuf] = {0};
  char detail[kBuf] = {0};
  char hint[kBuf] = {0};
};
Recorded recorded;

void copy(char *dst, const char *src) {
  if (!src) src = "";
  strlcpy(dst, src, kBuf);
}
}  // namespace

void record_current_exception() noexcept {
  recorded = Recorded{};
  try {
    throw;
  } catch (const PgError &e) {
    recorded.what = Recorded::What::Pg;
    recorded.edata = e.edata();
  } catch (const UserError &e) {
    recorded.what = Recorded::What::User;
    recorded.sqlstate = e.sqlstate();
    copy(recorded.message, e.what());
    copy(recorded.detail, e.detail().c_str());
    copy(recorded.hint, e.hint().c_str());
  } catch (const std::bad_alloc &) {
    recorded.what = Recorded::What::OutOfMemory;
  } catch (const std::exception &e) {
    recorded.what = Recorded::What::Internal;
    copy(recorded.message, e.what());
  } catch (...) {
    recorded.what = Recorded::What::Internal;
    copy(recorded.message, "unknown C++ exception");
  }
}

void raise_recorded_error() {
  switch (recorded.what) {
    case Recorded::What::Pg:
      ReThrowError(recorded.edata);
      break;
    case Recorded::What::User:
      ereport(ERROR, (errcode(recorded.sqlstate), errmsg_internal("%s", recorded.message),
                      recorded.detail[0] ? errdetail_internal("%s", recorded.detail) : 0,
                      recorded.hint[0] ? errhint("%s", recorded.hint) : 0));
      break;
    case Recorded::What::OutOfMemory:
      ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
                      errdetail("pg_fk_guard could not allocate memory.")));
      break;
    case Recorded::What::Internal:
    case Recorded::What::None:
      break;
  }
  ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pg_fk_guard internal error: %s", recorded.message),
                  errhint("This is a bug in pg_fk_guard; please report it with the statement that caused it.")));
  pg_unreachable();
}

}  // namespace fkg::detail
