#include "sql_writer.hpp"

#include <cstdio>
#include <stdexcept>

#include "no_postgres.hpp"

namespace fkg::sql {

namespace {

bool bare_start(unsigned char c) { return (c >= 'a' && c <= 'z') || c == '_'; }
bool bare_rest(unsigned char c) { return bare_start(c) || (c >= '0' && c <= '9') || c == '$'; }

// Length of the identifier at the start of `s`, or 0 if there is none.
size_t identifier_length(std::string_view s) {
  if (s.empty()) return 0;
  if (s[0] == '"') {
    size_t i = 1;
    bool any = false;
    while (i < s.size()) {
      if (s[i] == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"') {
          i += 2;
          any = true;
          continue;
        }
        return any ? i + 1 : 0;
      }
      if (s[i] == '\0') return 0;
      any = true;
      i++;
    }
    return 0;
  }
  if (!bare_start((unsigned char)s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && bare_rest((unsigned char)s[i])) i++;
  return i;
}

std::string hex_escape(const char *fmt, unsigned v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// Invisible or line-breaking code points that must not reach a comment raw.
bool unsafe_code_point(unsigned cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C ||
         (cp >= 0x180B && cp <= 0x180E) || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}

}  // namespace

std::string always_quoted(std::string_view raw) {
  std::string out = "\"";
  for (char c : raw) {
    if (c == '\0') throw std::invalid_argument("identifier contains a NUL byte");
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool is_quoted_identifier_chain(std::string_view text) {
  for (;;) {
    size_t n = identifier_length(text);
    if (n == 0) return false;
    text.remove_prefix(n);
    if (text.empty()) return true;
    if (text[0] != '.') return false;
    text.remove_prefix(1);
  }
}

Ident Ident::quote(std::string_view raw) {
  if (raw.empty()) throw std::invalid_argument("empty identifier");
  return Ident(always_quoted(raw));
}

Ident Ident::qualified(std::string_view schema, std::string_view name) {
  return Ident(quote(schema).str() + "." + quote(name).str());
}

const std::string &Ident::str() const {
  if (text_.empty()) throw std::logic_error("an identifier was used before it was set");
  return text_;
}

Ident Ident::checked(std::string_view quoted) {
  if (!is_quoted_identifier_chain(quoted))
    throw std::invalid_argument("not a quoted identifier: " + comment_safe(quoted));
  return Ident(std::string(quoted));
}

std::string literal(std::string_view value) {
  bool backslash = false;
  std::string body;
  for (char c : value) {
    if (c == '\0') throw std::invalid_argument("string contains a NUL byte");
    if (c == '\'') body += '\'';
    if (c == '\\') {
      body += '\\';
      backslash = true;
    }
    body += c;
  }
  return (backslash ? "E'" : "'") + body + "'";
}

std::string comment_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = (unsigned char)text[i];
    // A run of printable ASCII other than the backslash stays as it is:
    // appended at once (most of every comment).
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      size_t end = i + 1;
      while (end < text.size()) {
        unsigned char d = (unsigned char)text[end];
        if (d < 0x20 || d >= 0x7F || d == '\\') break;
        end++;
      }
      out.append(text.data() + i, end - i);
      i = end;
      continue;
    }
    unsigned cp = 0;
    size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    }
    bool valid = len > 0 && i + len <= text.size();
    for (size_t k = 1; valid && k < len; k++) {
      unsigned char cc = (unsigned char)text[i + k];
      if ((cc & 0xC0) != 0x80) valid = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (valid && len > 1) {
      static const unsigned min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
      if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) valid = false;
    }
    if (!valid) {
      out += hex_escape("\\x{%02X}", c);
      i += 1;
      continue;
    }
    if (cp == '\n')
      out += "\\n";
    else if (cp == '\r')
      out += "\\r";
    else if (cp == '\t')
      out += "\\t";
    else if (cp == '\\')
      out += "\\\\";
    else if (unsafe_code_point(cp))
      out += hex_escape("\\u{%04X}", cp);
    else
      out.append(text.data() + i, len);
    i += len;
  }
  return out;
}

std::string comment(std::string_view text) { return "-- " + comment_safe(text) + "\n"; }

std::string dollar_quoted(std::string_view body, std::string_view base) {
  // The closing tag is the first occurrence of the tag after the opening
  // one: it must be the one we append, also when the body ends in a part of
  // the tag.
  for (int n = 0; n <= 1000; n++) {
    std::string tag = "$" + std::string(base) + (n ? "_" + std::to_string(n) : std::string()) + "$";
    std::string closed = std::string(body) + tag;
    if (closed.find(tag) == body.size()) return tag + closed;
  }
  throw std::logic_error("no free dollar-quote tag");
}

std::string Script::render(bool with_steps) const {
  std::string out;
  for (const std::string &h : header_) out += comment(h);
  std::string tags;
  for (const Statement &s : statements_) tags += (tags.empty() ? "" : ", ") + s.tag;
  if (with_steps) {
    for (size_t i = 0; i < statements_.size(); i++) {
      const Statement &s = statements_[i];
      if (s.lock.empty() && s.rewrites.empty()) continue;
      std::string line = "Step " + std::to_string(i + 1) + " (" + s.tag + "): ";
      line += s.lock.empty() ? "no lock" : "lock " + s.lock;
      line += s.rewrites.empty() ? "; rewrites nothing" : "; rewrites " + s.rewrites;
      out += comment(line);
    }
  }
  out += comment("Statements: " + (tags.empty() ? std::string("(none)") : tags));
  std::string section;
  for (size_t i = 0; i < statements_.size(); i++) {
    const Statement &s = statements_[i];
    if (!s.section.empty() && s.section != section) out += comment(s.section);
    section = s.section;
    if (!s.what.empty()) out += comment(with_steps ? "Step " + std::to_string(i + 1) + ": " + s.what : s.what);
    out += s.sql + ";\n";
  }
  return out;
}

}  // namespace fkg::sql
