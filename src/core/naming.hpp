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

// The same, for a column of the table `referencing_table`, with the names of
// tools that prefix table names first: Django names a model's table
// "<app label>_<model name in lower case>" ("shop_session", "shop_user"), so
// a column of shop_session pointing at "user" first means shop_user (and
// shopuser's "user_profile" stem also shop_userprofile, Django's spelling of
// the model UserProfile); every '_' of the referencing table's name may end
// an app label ("my_shop_session": my_shop_user before my_user). Then the
// names candidate_tables() gives, then Django's own auth tables (auth_user,
// auth_group, auth_permission) for the stems user, group and permission.
std::vector<std::string> candidate_tables(const std::string &stem, const std::string &referencing_table);

}  // namespace fkg
