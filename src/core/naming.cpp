#include "naming.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

#include "no_postgres.hpp"

namespace fkg {

namespace {

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_vowel(char c) { return std::string("aeiou").find(static_cast<char>(std::tolower(c))) != std::string::npos; }

// English plurals common in table names; irregular ones first.
std::vector<std::string> plurals(const std::string &word) {
  static const std::pair<const char *, const char *> irregular[] = {
      {"person", "people"}, {"man", "men"},     {"woman", "women"}, {"child", "children"},
      {"mouse", "mice"},    {"goose", "geese"}, {"foot", "feet"},   {"tooth", "teeth"},
  };
  std::vector<std::string> out;
  const std::string l = lower(word);
  for (const auto &[one, many] : irregular) {
    if (ends_with(l, one)) out.push_back(word.substr(0, word.size() - std::string(one).size()) + many);
  }
  if (word.size() > 1 && (ends_with(l, "y")) && !is_vowel(l[l.size() - 2]))
    out.push_back(word.substr(0, word.size() - 1) + "ies");  // category -> categories
  if (ends_with(l, "s") || ends_with(l, "x") || ends_with(l, "z") || ends_with(l, "ch") || ends_with(l, "sh"))
    out.push_back(word + "es");  // address -> addresses, box -> boxes
  out.push_back(word + "s");
  return out;
}

void add_unique(std::vector<std::string> &v, const std::string &s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::optional<std::string> reference_stem(const std::string &column) {
  if (column.size() < 3) return std::nullopt;
  const std::string l = lower(column);
  if (!ends_with(l, "id")) return std::nullopt;
  std::string stem = column.substr(0, column.size() - 2);
  // "user_id" / "user-id": drop the separator.
  while (!stem.empty() && (stem.back() == '_' || stem.back() == '-')) stem.pop_back();
  if (stem.empty()) return std::nullopt;
  const bool separated = stem.size() < column.size() - 2;  // user_id
  const bool camel =
      column[column.size() - 2] == 'I' && std::islower(static_cast<unsigned char>(stem.back()));  // userId, userID
  if (separated || camel) return stem;
  // "userid", "USERID": a weaker signal. Words that merely end in "id" are
  // not references; short stems are not trusted.
  static const char *const words[] = {"uuid",  "guid",   "paid",  "valid", "invalid", "void",    "avoid", "android",
                                      "fluid", "liquid", "rapid", "solid", "hybrid",  "pyramid", "acid",  "druid"};
  for (const char *w : words)
    if (l == w) return std::nullopt;
  if (stem.size() < 4) return std::nullopt;
  return stem;
}

std::vector<std::string> candidate_tables(const std::string &stem) {
  std::vector<std::string> out;
  for (const std::string &form : {stem, lower(stem), capitalised(lower(stem))}) {
    for (const std::string &p : plurals(form)) add_unique(out, p);
    add_unique(out, form);
  }
  return out;
}

std::vector<std::string> candidate_tables(const std::string &stem, const std::string &referencing_table) {
  std::vector<std::string> out;
  const std::string l = lower(stem);
  std::string joined;  // "user_profile" -> "userprofile"
  for (char c : l)
    if (c != '_' && c != '-') joined += c;
  // Longest app label first: "my_shop_session" -> my_shop_, then my_.
  for (size_t at = referencing_table.rfind('_'); at != std::string::npos && at > 0;
       at = referencing_table.rfind('_', at - 1)) {
    if (at + 1 >= referencing_table.size()) continue;  // "shop_": no model name after the label
    const std::string label = referencing_table.substr(0, at + 1);
    add_unique(out, label + l);
    add_unique(out, label + joined);
  }
  for (const std::string &n : candidate_tables(stem)) add_unique(out, n);
  if (l == "user" || l == "group" || l == "permission") add_unique(out, "auth_" + l);
  return out;
}

}  // namespace fkg
