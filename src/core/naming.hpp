// Naming conventions that imply a foreign key: "userId", "user_id", "UserId",
// "userID", "userid" point at a table "users", "user", "Users" or "User".
// Pure C++, unit-tested in test/unit/naming_test.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fkg {

// The stem a column name points at ("user" for "userId", "user_id", "UserId",
// "userID", "userid"); nothing when the name has no id suffix or no stem.
std::optional<std::string> reference_stem(const std::string &column);

// Table names the stem may mean, most likely first, without duplicates:
// the stem itself and its plural, each as written, lower-case and capitalised
// ("user" -> users, user, Users, User; "category" -> categories, category, ...;
// "person" -> people, persons, person, ...).
std::vector<std::string> candidate_tables(const std::string &stem);

}  // namespace fkg
