"""Django 3.2 (Debian's python3-django) with psycopg2: models, makemigrations,
migrate, as its users run them, connecting as an ordinary role. Each step runs
in a process of its own (django/driver.py); the statements Django's schema
editor sent are compared with fixtures/django/*.sql."""

import re
import unittest

import clean_schema
import fkg_e2e as f

USER = '''
class User(models.Model):
    email = models.TextField()
    legacy_uuid = models.UUIDField(null=True, unique=True)
'''

# The story: sessions."userId" held the users' old uuids; it becomes a
# ForeignKey to User, whose key is Django 3.2's default AutoField (integer).
STORY_V1 = "from django.db import models\n" + USER + '''

class Session(models.Model):
    userId = models.UUIDField(null=True)
'''
STORY_V2 = "from django.db import models\n" + USER + '''

class Session(models.Model):
    userId = models.ForeignKey(User, null=True, on_delete=models.CASCADE, db_column="userId")
'''

SEED = [
    "INSERT INTO shop_user (id, email, legacy_uuid) VALUES"
    " (1, 'ada@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
    " (2, 'bob@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22')",
    "INSERT INTO shop_session (id, \"userId\") VALUES (1, NULL),"
    " (2, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (3, 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22')",
]

STORY_SQLMIGRATE = "django/story-0002-sqlmigrate"
STORY_SENT = "django/story-0002-sent"


def migration_file(name, dependency, operations, imports=""):
    """A migration in Django's format, as a user writes one by hand."""
    return ("from django.db import migrations\n%s\n\nclass Migration(migrations.Migration):\n"
            "    dependencies = [(\"shop\", %r)]\n    operations = [\n%s    ]\n" %
            (imports, dependency, "".join("        %s,\n" % op for op in operations)))


class DjangoCase(unittest.TestCase):
    def setUp(self):
        self.db = f.Database(self.id().split(".")[-1][5:])
        self.addCleanup(self.db.drop)
        self.project = f.Project("django/template")
        self.addCleanup(self.project.remove)

    def django(self, *args, env=None):
        return self.project.run("django/driver.py", list(args), self.db, env)

    def models(self, text):
        self.project.write("shop/models.py", text)

    def makemigrations(self):
        r = self.django("makemigrations", "shop")
        self.assertIsNone(r["error"], r)
        return r

    def migrate(self, expect_error=False, env=None):
        r = self.django("migrate", "shop", env=env)
        if expect_error:
            self.assertIsNotNone(r["error"], "the migration must fail")
        else:
            self.assertIsNone(r["error"], r["error"])
        return r

    def applied(self):
        return [n for (n,) in self.db.rows("SELECT name FROM django_migrations WHERE app = 'shop' ORDER BY id")]

    def story(self, seed=True):
        """0001 applied (and seeded), 0002 (the AlterField to ForeignKey) written."""
        self.models(STORY_V1)
        self.makemigrations()
        self.migrate()
        if seed:
            for s in SEED:
                self.db.execute(s)
        self.models(STORY_V2)
        r = self.makemigrations()
        self.assertIn("0002_alter_session_userid.py", r["output"])
        self.assertIn("Alter field userId on session", r["output"])


class Story(DjangoCase):
    def test_alter_field_to_foreign_key_is_answered_by_the_guard_with_42846(self):
        """1 and 2: AlterField from UUIDField to ForeignKey(User); what Django sends, what the application gets."""
        self.story()
        # What Django will send for 0002 (sqlmigrate), recorded.
        plan = self.django("sqlmigrate", "shop", "0002")
        self.assertIsNone(plan["error"], plan)
        statements = [l for l in plan["output"].splitlines() if l and not l.startswith("--")
                      and l not in ("BEGIN;", "COMMIT;")]
        f.check_fixture(self, STORY_SQLMIGRATE, statements)
        self.assertEqual(statements[0], 'ALTER TABLE "shop_session" ALTER COLUMN "userId" TYPE integer USING "userId"::integer;')
        self.assertRegex(statements[-1], r'^ALTER TABLE "shop_session" ADD CONSTRAINT "shop_session_userId_[0-9a-f]{8}_fk_shop_user_id" '
                                         r'FOREIGN KEY \("userId"\) REFERENCES "shop_user" \("id"\) DEFERRABLE INITIALLY DEFERRED;$')

        r = self.migrate(expect_error=True)
        # What it did send before the error: the type change, first.
        f.check_fixture(self, STORY_SENT, r["schema_statements"])
        self.assertEqual(r["schema_statements"], ['ALTER TABLE "shop_session" ALTER COLUMN "userId" TYPE integer USING "userId"::integer'])
        e = r["error"]
        # Django wraps the driver's error in its own class, the driver's is __cause__.
        self.assertEqual(e["class"], "django.db.utils.ProgrammingError")
        self.assertEqual(e["__cause__"], "psycopg2.errors.CannotCoerce")
        self.assertEqual(e["pgcode"], "42846")
        d = e["diag"]
        self.assertEqual(d["message_primary"], "cannot cast type uuid to integer")
        # The guard answers first (PostgreSQL alone says only the primary
        # message): Django's table names (<app>_<model>) are followed.
        self.assertTrue(d["message_detail"].startswith(
            'shop_session."userId" is uuid and holds keys of shop_user.id (by its name; no foreign key is declared).'),
            d["message_detail"])
        self.assertIn("shop_session holds 3 rows: 1 with \"userId\" NULL, 2 uuid values that cannot become integer",
                      d["message_detail"])
        self.assertIn("SELECT fk_guard.fix_plan('shop_session', 'userId', 'shop_user', 'id', on_unconvertible => 'map')",
                      d["message_hint"])
        self.assertTrue(d["message_hint"].endswith(
            "Django's AlterField converts with USING column::type, and no cast can do this one: add a field of the new "
            "type, fill it in a data migration (migrations.RunSQL with the statements fix_plan() writes, or RunPython), "
            "then remove the old field and rename the new one."), d["message_hint"])
        self.assertEqual(d["context"], f.GUARD_CONTEXT)
        # With psycopg2, str(e) is the server's whole text: DETAIL and HINT lines too.
        self.assertIn("\nDETAIL:  shop_session.\"userId\" is uuid", e["message"])
        self.assertIn("\nHINT:  Map each value", e["message"])
        # The migration ran in a transaction: nothing changed, nothing recorded.
        self.assertEqual(self.applied(), ["0001_initial"])
        self.assertEqual(self.db.history(), [("Django", "shop.0001_initial", "applied")])
        self.assertEqual(self.db.column_type("shop_session", "userId"), "uuid")
        self.assertEqual(self.db.foreign_keys("shop_session"), [])
        self.assertEqual(f.ours(r["notices"]), [])
        # diagnose_fk_mismatches() finds the implied pair under Django's names.
        self.assertEqual(self.db.rows(
            "SELECT source, referencing_table::text, referencing_column, referenced_table::text, referenced_column, kind"
            " FROM fk_guard.diagnose_fk_mismatches()"),
            [("implied", "shop_session", "userId", "shop_user", "id", "incompatible")])

    def test_foreign_key_to_a_model_whose_key_type_disagrees_with_its_table_is_refused_with_42804(self):
        """1 and 2: the key is added to a column Django thinks has the right type (an unmanaged users table)."""
        self.db.execute("CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)")
        self.db.execute("INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com')")
        legacy = '''from django.db import models


class User(models.Model):
    id = models.UUIDField(primary_key=True)  # the table says integer
    email = models.TextField()

    class Meta:
        managed = False
        db_table = "users"
'''
        self.models(legacy + '''

class Session(models.Model):
    user = models.UUIDField(null=True, db_column="user_id")
''')
        self.makemigrations()
        self.migrate()
        self.db.execute(SEED[1].replace('"userId"', "user_id"))
        self.models(legacy + '''

class Session(models.Model):
    user = models.ForeignKey(User, null=True, on_delete=models.CASCADE, db_column="user_id")
''')
        self.makemigrations()
        r = self.migrate(expect_error=True)
        f.check_fixture(self, "django/unmanaged-target-sent", r["schema_statements"])
        add = r["schema_statements"][-1]
        self.assertRegex(add, r'^ALTER TABLE "shop_session" ADD CONSTRAINT "(shop_session_user_id_[0-9a-f]{8}_fk_users_id)" '
                              r'FOREIGN KEY \("user_id"\) REFERENCES "users" \("id"\) DEFERRABLE INITIALLY DEFERRED$')
        name = re.search(r'CONSTRAINT "([^"]+)"', add).group(1)
        e = r["error"]
        self.assertEqual(e["class"], "django.db.utils.ProgrammingError")
        self.assertEqual(e["__cause__"], "psycopg2.errors.DatatypeMismatch")
        self.assertEqual(e["pgcode"], "42804")
        d = e["diag"]
        self.assertEqual(d["message_primary"], 'foreign key constraint "%s" cannot be implemented' % name)
        self.assertTrue(d["message_detail"].startswith("shop_session.user_id is uuid; users.id is integer."), d)
        self.assertIn("shop_session holds 3 rows: 1 with user_id NULL, 2 uuid values that cannot become integer",
                      d["message_detail"])
        self.assertIn("constraint_name => '%s'" % name, d["message_hint"])
        # Recognised as Django by the name it gives the key.
        self.assertIn(
            "Django gives a ForeignKey column the type of the field it points at, and the key is integer: declare the "
            "target model's primary key as AutoField (DEFAULT_AUTO_FIELD = 'django.db.models.AutoField' for models "
            "that declare none), or point to_field at a field of that type, then run makemigrations again.",
            d["message_hint"])
        # Django's index on the column, and django_migrations on the search
        # path: the HINT ends with the call that shows the rest.
        self.assertTrue(d["message_hint"].endswith(
            " What the DETAIL leaves out (the objects on the column that a conversion touches and which migrations "
            "ran): SELECT fk_guard.explain('public.shop_session', 'user_id');"), d["message_hint"])
        self.assertEqual(d["context"], f.GUARD_CONTEXT)
        self.assertEqual(self.applied(), ["0001_initial"])
        self.assertIn(("Django", "shop.0001_initial", "applied"), self.db.history())
        self.assertNotIn("0002", str(self.db.history()))
        self.assertEqual(self.db.foreign_keys("shop_session"), [])


class SoftMismatch(DjangoCase):
    def test_integer_references_to_a_bigint_key_warn_through_psycopg2_notices(self):
        """3: an unmanaged bigint users table, the model's implicit key is Django 3.2's AutoField (integer)."""
        self.db.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)")
        self.models('''from django.db import models


class User(models.Model):
    email = models.TextField()

    class Meta:
        managed = False
        db_table = "users"


class Order(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
''')
        self.makemigrations()
        r = self.migrate()
        f.check_fixture(self, "django/soft-integer-to-bigint-sent", r["schema_statements"])
        self.assertIn('CREATE TABLE "shop_order" ("id" serial NOT NULL PRIMARY KEY, "user_id" integer NOT NULL)',
                      r["schema_statements"])
        # Django says nothing of it: migrate's output has no warning ...
        self.assertNotIn("WARNING", r["output"])
        self.assertNotIn("WARNING", r["stderr"])
        # ... but the WARNING is on the psycopg2 connection (connection.connection.notices).
        ours = [f.parse_notice(n) for n in f.ours(r["notices"])]
        self.assertEqual(len(ours), 1, r["notices"])
        w = ours[0]
        self.assertEqual(w["severity"], "WARNING")
        self.assertRegex(w["message"], r'^foreign key constraint "shop_order_user_id_[0-9a-f]{8}_fk_users_id" ')
        self.assertTrue(w["detail"].startswith("shop_order.user_id is integer; users.id is bigint."), w)
        self.assertEqual(w["hint"], "To match, convert shop_order.user_id: ALTER TABLE shop_order ALTER COLUMN user_id TYPE bigint.")
        self.assertEqual(self.applied(), ["0001_initial"])
        self.assertEqual(self.db.rows("SELECT source, kind, severity FROM fk_guard.diagnose_fk_mismatches()"
                                      " WHERE referencing_table = 'shop_order'::regclass"),
                         [("declared", "narrower", "warning")])

    def test_pg_fk_guard_soft_mismatches_error_in_the_connection_options_stops_migrate(self):
        """3: the same with OPTIONS: {"options": "-c pg_fk_guard.soft_mismatches=error"}: 42804, not recorded."""
        self.db.execute("CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL)")
        self.models('''from django.db import models


class User(models.Model):
    email = models.TextField()

    class Meta:
        managed = False
        db_table = "users"


class Order(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
''')
        self.makemigrations()
        r = self.migrate(expect_error=True, env={"FKG_DJANGO_OPTIONS": "-c pg_fk_guard.soft_mismatches=error"})
        self.assertEqual(r["error"]["pgcode"], "42804")
        self.assertEqual(r["error"]["class"], "django.db.utils.ProgrammingError")
        self.assertEqual(self.applied(), [])
        self.assertIsNone(self.db.value("SELECT to_regclass('shop_order')"))


class ParentKeyChange(DjangoCase):
    V1 = '''from django.db import models


class User(models.Model):
    email = models.TextField()


class Session(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)


class Order(models.Model):
    buyer = models.ForeignKey(User, on_delete=models.CASCADE)
'''

    def test_big_auto_field_converts_the_references_django_knows_and_warns_for_the_one_it_does_not(self):
        """3 and 4: User's key to BigAutoField; a table Django does not manage keeps an integer reference."""
        self.models(self.V1)
        self.makemigrations()
        self.migrate()
        # A table another tool (or a RunSQL) made: Django does not know it references shop_user.
        self.db.execute("CREATE TABLE audit_events (id serial PRIMARY KEY, actor_id integer REFERENCES shop_user (id))")
        self.models(self.V1.replace("class User(models.Model):\n", "class User(models.Model):\n    id = models.BigAutoField(primary_key=True)\n"))
        self.makemigrations()
        r = self.migrate()
        f.check_fixture(self, "django/parent-bigint-sent", r["schema_statements"], unordered=True)
        self.assertEqual(self.db.column_type("shop_session", "user_id"), "bigint")
        self.assertEqual(self.db.column_type("shop_order", "buyer_id"), "bigint")
        self.assertEqual(self.db.column_type("audit_events", "actor_id"), "integer")
        ours = [f.parse_notice(n) for n in f.ours(r["notices"])]
        self.assertEqual(len(ours), 1, r["notices"])
        self.assertEqual(ours[0]["severity"], "WARNING")
        self.assertIn("audit_events.actor_id is integer", ours[0]["detail"])
        self.assertEqual(self.applied(), ["0001_initial", "0002_alter_user_id"])

    def test_key_to_uuid_fails_and_the_change_key_type_plan_as_a_runsql_migration_repairs_it(self):
        """4: User's key to UUIDField under two referencing models; the repair from change_key_type_plan()."""
        self.models(self.V1)
        self.makemigrations()
        self.migrate()
        self.db.execute("INSERT INTO shop_user (email) VALUES ('ada@example.com'), ('bob@example.com')")
        self.db.execute("INSERT INTO shop_session (user_id) VALUES (1), (2), (2)")
        self.db.execute("INSERT INTO shop_order (buyer_id) VALUES (1)")
        self.models(self.V1.replace("class User(models.Model):\n", "class User(models.Model):\n    id = models.UUIDField(primary_key=True, default=uuid.uuid4)\n").replace("from django.db import models", "import uuid\n\nfrom django.db import models"))
        self.makemigrations()
        r = self.migrate(expect_error=True)
        f.check_fixture(self, "django/parent-uuid-sent", r["schema_statements"], unordered=True)
        # Django drops the keys that point at User first, in the same
        # transaction: nothing references shop_user.id any more when the key
        # is converted, and the guard names the keys it remembers were dropped.
        self.assertTrue(r["schema_statements"][0].startswith('SET CONSTRAINTS "shop_'), r["schema_statements"])
        self.assertEqual(r["schema_statements"][-1], 'ALTER TABLE "shop_user" ALTER COLUMN "id" TYPE uuid USING "id"::uuid')
        e = r["error"]
        self.assertEqual((e["class"], e["__cause__"], e["pgcode"]),
                         ("django.db.utils.ProgrammingError", "psycopg2.errors.CannotCoerce", "42846"))
        self.assertEqual(e["diag"]["message_primary"], "cannot cast type integer to uuid")
        self.assertEqual(e["diag"]["message_detail"],
                         "shop_user.id is integer and is the key that "
                         "shop_order.buyer_id (integer, foreign key shop_order_buyer_id_cffd21d9_fk_shop_user_id) and "
                         "shop_session.user_id (integer, foreign key shop_session_user_id_ba89a52d_fk_shop_user_id) "
                         "reference; this transaction dropped those foreign keys before this statement. No cast turns "
                         "integer into uuid, so no USING id::uuid can convert it: every key needs a new value, and "
                         "every reference has to follow its key row by row.")
        self.assertTrue(e["diag"]["message_hint"].startswith(
            "SELECT fk_guard.change_key_type_plan('shop_user', 'id', 'uuid') writes the script"), e["diag"]["message_hint"])
        self.assertEqual(self.applied(), ["0001_initial"])
        before = self.db.rows("SELECT s.id, u.email FROM shop_session s JOIN shop_user u ON u.id = s.user_id ORDER BY s.id")

        # The repair: the plan's text in a RunSQL migration before 0002.
        plan = self.db.value("SELECT fk_guard.change_key_type_plan('shop_user', 'id', 'uuid', new_key_expression => 'gen_random_uuid()')")
        self.assertIn("-- Referenced by 2 columns:", plan)
        self.project.write("shop/migrations/0002_repair_user_id_uuid.py", migration_file(
            "0002_repair_user_id_uuid", "0001_initial", ["migrations.RunSQL([PLAN], reverse_sql=migrations.RunSQL.noop)"],
            "\nPLAN = %r\n" % plan))
        original = self.project.read("shop/migrations/0002_alter_user_id.py")
        self.project.write("shop/migrations/0003_alter_user_id.py",
                           original.replace("('shop', '0001_initial')", "('shop', '0002_repair_user_id_uuid')"))
        self.project.write("shop/migrations/0002_alter_user_id.py", "")
        import os
        os.remove(os.path.join(self.project.dir, "shop/migrations/0002_alter_user_id.py"))
        r = self.migrate()
        self.assertEqual(self.applied(), ["0001_initial", "0002_repair_user_id_uuid", "0003_alter_user_id"])
        for table, column in (("shop_user", "id"), ("shop_session", "user_id"), ("shop_order", "buyer_id")):
            self.assertEqual(self.db.column_type(table, column), "uuid")
        self.assertEqual(self.db.rows("SELECT s.id, u.email FROM shop_session s JOIN shop_user u ON u.id = s.user_id ORDER BY s.id"), before)
        self.assertEqual(f.ours(r["notices"]), [])
        self.assertEqual(self.db.rows("SELECT * FROM fk_guard.diagnose_fk_mismatches()"), [])
        # Django's model state agrees with the database.
        check = self.django("makemigrations", "shop", "--check", "--dry-run")
        self.assertIn("No changes detected", check["output"])


class Repair(DjangoCase):
    def test_fix_plan_map_as_a_runsql_migration_then_the_story_migration_succeeds(self):
        """4: the story's repair from fix_plan(on_unconvertible => 'map'), mapping through shop_user.legacy_uuid."""
        self.story()
        self.migrate(expect_error=True)
        plan = self.db.value("SELECT fk_guard.fix_plan('shop_session', 'userId', 'shop_user', 'id', on_unconvertible => 'map')")
        self.assertRegex(plan, r"(?m)^-- public\.shop_user\.legacy_uuid holds 2 of the 2 non-NULL values of public\.shop_session\.\"userId\"\.$")
        self.project.write("shop/migrations/0002_repair_session_userid.py", migration_file(
            "0002_repair_session_userid", "0001_initial", ["migrations.RunSQL([PLAN], reverse_sql=migrations.RunSQL.noop)"],
            "\nPLAN = %r\n" % plan))
        import os
        original = self.project.read("shop/migrations/0002_alter_session_userid.py")
        os.remove(os.path.join(self.project.dir, "shop/migrations/0002_alter_session_userid.py"))
        self.project.write("shop/migrations/0003_alter_session_userid.py",
                           original.replace("('shop', '0001_initial')", "('shop', '0002_repair_session_userid')"))
        r = self.migrate()
        self.assertEqual(self.applied(), ["0001_initial", "0002_repair_session_userid", "0003_alter_session_userid"])
        self.assertEqual(self.db.column_type("shop_session", "userId"), "integer")
        self.assertEqual(self.db.rows('SELECT id, "userId" FROM shop_session ORDER BY id'), [(1, None), (2, 1), (3, 2)])
        fks = self.db.foreign_keys("shop_session")
        # The plan's key, and Django's own, added by the original migration:
        # PostgreSQL allows the duplicate, and the guard says so.
        self.assertEqual(len(fks), 2, fks)
        self.assertIn("shop_session_userId_fkey", [c for c, _ in fks])
        dup = [f.parse_notice(n) for n in f.ours(r["notices"]) if "duplicates" in n]
        self.assertEqual(len(dup), 1, r["notices"])
        self.assertRegex(dup[0]["message"], r'^foreign key constraint "shop_session_userId_[0-9a-f]{8}_fk_shop_user_id" on shop_session duplicates "shop_session_userId_fkey"$')
        self.assertEqual(self.db.rows("SELECT * FROM fk_guard.diagnose_fk_mismatches()"), [])


class CleanSchema(DjangoCase):
    def test_twenty_tables_with_matching_keys_bring_no_message_from_the_guard(self):
        """5: clean-schema.json as Django models, in two migrations, then a control notice."""
        notices = []
        for step in (1, 2):
            self.models(clean_schema.django_models(step))
            self.makemigrations()
            notices += self.migrate()["notices"]
        # A control: a NOTICE sent through Django's own connection does reach
        # connection.notices, so "none" below means none.
        self.project.write("shop/migrations/0003_control.py", migration_file(
            "0003_control", self.project.listdir("shop/migrations")[1][:-3],
            ["migrations.RunSQL('DROP TABLE IF EXISTS fkg_control_no_such_table', migrations.RunSQL.noop)"]))
        control = self.migrate()["notices"]
        self.assertEqual(control, ['NOTICE:  table "fkg_control_no_such_table" does not exist, skipping\n'])
        self.assertEqual(f.ours(notices), [])
        self.assertEqual(notices, [])
        tables = [clean_schema.django_table(t) for t in clean_schema.TABLES]
        self.assertEqual(self.db.value("SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)", (tables,)), 20)
        self.assertEqual(self.db.value("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
                                       (tables,)), clean_schema.FOREIGN_KEYS)
        self.assertEqual([t for (t,) in self.db.rows(
            "SELECT DISTINCT format_type(a.atttypid, a.atttypmod) FROM pg_constraint c"
            " JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)"
            " WHERE c.contype = 'f' ORDER BY 1")], ["bigint", "integer", "text", "uuid"])
        self.assertEqual(self.db.rows("SELECT * FROM fk_guard.diagnose_fk_mismatches()"), [])
        self.assertEqual([n for n in self.db.execute("SELECT fk_guard.assert_no_mismatches('notice')") if "pg_fk_guard" in n], [])


if __name__ == "__main__":
    unittest.main()
