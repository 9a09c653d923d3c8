"""The clean 20-table schema of test/e2e/migrations/clean-schema.json (33
foreign keys over integer, bigint, uuid and text keys, all matching), for the
Python tools: as Django models (a models.py) and as SQLAlchemy tables (a
models.py with a MetaData), each in two steps as the Node tools build it: the
tables, then the columns and keys added afterwards."""

import json
import os

from fkg_e2e import HERE

SPEC_PATH = os.path.join(HERE, "..", "e2e", "migrations", "clean-schema.json")
with open(SPEC_PATH) as _f:
    SPEC = json.load(_f)
TABLES = [t["name"] for t in SPEC["tables"]]
FOREIGN_KEYS = (sum(1 for t in SPEC["tables"] for c in t["key"] + t["columns"] if c.get("references"))
                + len(SPEC["addColumns"]) + len(SPEC["addForeignKeys"]))


def _camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


def _columns(step):
    """Each table's columns for this step (1: the tables, 2: with the later columns and keys)."""
    out = {}
    for t in SPEC["tables"]:
        cols = [dict(c, key=True) for c in t["key"]] + [dict(c) for c in t["columns"]]
        if step == 2:
            cols += [dict(c) for c in SPEC["addColumns"] if c["table"] == t["name"]]
            for fk in SPEC["addForeignKeys"]:
                if fk["table"] == t["name"]:
                    for c in cols:
                        if c["name"] == fk["column"]:
                            c["references"] = fk["references"]
        out[t["name"]] = cols
    return out


def _key_of(table):
    return next(t for t in SPEC["tables"] if t["name"] == table)["key"]


# ---- Django ------------------------------------------------------------------
# Django names each table <app>_<model> itself (shop_users, shop_taskcomments):
# that is the schema the tool creates. A composite key becomes Django 3.2's
# implicit id plus unique_together; a reference is a ForeignKey (its column
# takes the type of the key it points at); user_profiles' key is a OneToOneField.

_DJANGO_FIELD = {"serial": "models.AutoField(primary_key=True)", "bigserial": "models.BigAutoField(primary_key=True)",
                 "uuid": "models.UUIDField(primary_key=True, default=uuid.uuid4)",
                 "text": "models.TextField(primary_key=True)"}
_DJANGO_PLAIN = {"text": "models.TextField(null=True%s)", "integer": "models.IntegerField(null=True%s)",
                 "bigint": "models.BigIntegerField(null=True%s)", "uuid": "models.UUIDField(null=True%s)",
                 "timestamptz": "models.DateTimeField(null=True%s)"}


def django_models(step):
    cols = _columns(step)
    out = ["import uuid\n\nfrom django.db import models\n"]
    for t in SPEC["tables"]:
        name = t["name"]
        lines = []
        composite = len(t["key"]) > 1
        for c in cols[name]:
            ref = c.get("references")
            unique = ", unique=True" if c.get("unique") else ""
            if ref:
                target, to = ref
                to_field = "" if [k["name"] for k in _key_of(target)] == [to] else ", to_field=%r" % to
                if c.get("key") and not composite:
                    lines.append("    %s = models.OneToOneField(%r, primary_key=True, db_column=%r, on_delete=models.CASCADE%s, related_name='+')" % (
                        "fk_" + c["name"], _camel(target), c["name"], to_field))
                else:
                    null = "" if c.get("key") else ", null=True"
                    lines.append("    %s = models.ForeignKey(%r, db_column=%r, on_delete=models.CASCADE%s%s%s, related_name='+')" % (
                        "fk_" + c["name"], _camel(target), c["name"], to_field, null, unique))
            elif c.get("key") and not composite:
                lines.append("    %s = %s" % (c["name"], _DJANGO_FIELD[c["type"]]))
            else:
                lines.append("    %s = %s" % (c["name"], _DJANGO_PLAIN[c["type"]] % unique))
        if composite:
            lines.append("\n    class Meta:\n        unique_together = [(%s)]" % ", ".join(
                "%r" % ("fk_" + k["name"] if k.get("references") else k["name"]) for k in t["key"]))
        out.append("\nclass %s(models.Model):\n%s\n" % (_camel(name), "\n".join(lines)))
    return "\n".join(out)


def django_table(name):
    return "shop_" + _camel(name).lower()


# ---- SQLAlchemy (Alembic autogenerate) ----------------------------------------
_SA_TYPE = {"serial": "sa.Integer", "bigserial": "sa.BigInteger", "integer": "sa.Integer", "bigint": "sa.BigInteger",
            "uuid": "postgresql.UUID(as_uuid=True)", "text": "sa.Text", "timestamptz": "sa.DateTime(timezone=True)"}


def sqlalchemy_models(step):
    cols = _columns(step)
    out = ["import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n\nmetadata = sa.MetaData()\n"]
    for t in SPEC["tables"]:
        lines = []
        for c in cols[t["name"]]:
            args = [repr(c["name"]), _SA_TYPE[c["type"]]]
            if c.get("references"):
                args.append("sa.ForeignKey(%r)" % ".".join(c["references"]))
            if c.get("key"):
                args.append("primary_key=True")
                if c["type"] == "uuid":
                    args.append("server_default=sa.text('gen_random_uuid()')")
                if c["type"] in ("integer", "bigint") or len(t["key"]) > 1:
                    args.append("autoincrement=False")
            if c.get("unique"):
                args.append("unique=True")
            lines.append("    sa.Column(%s)," % ", ".join(args))
        out.append("sa.Table(%r, metadata,\n%s\n)\n" % (t["name"], "\n".join(lines)))
    return "\n".join(out)
