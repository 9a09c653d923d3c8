// Reading JavaScript values in the WebAssembly entry points (src/wasm/*.cpp),
// and the one place a C++ exception is turned into a result JavaScript sees.
#pragma once

#include <emscripten/val.h>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace fkg {
namespace wasm {

inline bool present(const emscripten::val &o, const char *key) {
  if (o.isUndefined() || o.isNull()) return false;
  emscripten::val v = o[key];
  return !(v.isUndefined() || v.isNull());
}

inline std::string get_string(const emscripten::val &o, const char *key, const std::string &dflt = "") {
  if (!present(o, key)) return dflt;
  emscripten::val v = o[key];
  if (!v.isString()) throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
  return v.as<std::string>();
}

inline double get_number(const emscripten::val &o, const char *key, double dflt) {
  if (!present(o, key)) return dflt;
  emscripten::val v = o[key];
  if (!v.isNumber()) throw std::invalid_argument(std::string("\"") + key + "\" must be a number");
  return v.as<double>();
}

inline int32_t get_int(const emscripten::val &o, const char *key, int32_t dflt) {
  return (int32_t)get_number(o, key, dflt);
}

inline uint32_t get_uint(const emscripten::val &o, const char *key, uint32_t dflt) {
  return (uint32_t)get_number(o, key, dflt);
}

inline bool get_bool(const emscripten::val &o, const char *key, bool dflt) {
  if (!present(o, key)) return dflt;
  emscripten::val v = o[key];
  if (!v.isTrue() && !v.isFalse()) throw std::invalid_argument(std::string("\"") + key + "\" must be a boolean");
  return v.isTrue();
}

inline std::vector<std::string> get_strings(const emscripten::val &o, const char *key) {
  std::vector<std::string> out;
  if (!present(o, key)) return out;
  emscripten::val a = o[key];
  int n = a["length"].as<int>();
  for (int i = 0; i < n; i++) out.push_back(a[i].as<std::string>());
  return out;
}

inline emscripten::val string_array(const std::vector<std::string> &v) {
  emscripten::val out = emscripten::val::array();
  for (const std::string &s : v) out.call<void>("push", s);
  return out;
}

// Runs f; a C++ exception becomes {error: message}, which the JavaScript
// wrapper (clients/node/lib/engine-wrapper.js) throws as an Error.
template <typename F>
emscripten::val guarded(F f) {
  try {
    return f();
  } catch (const std::exception &e) {
    emscripten::val err = emscripten::val::object();
    err.set("__engine_error", std::string(e.what()));
    return err;
  } catch (...) {
    emscripten::val err = emscripten::val::object();
    err.set("__engine_error", std::string("unknown engine error"));
    return err;
  }
}

}  // namespace wasm
}  // namespace fkg
