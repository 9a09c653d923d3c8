"""Settings of the test project: one app, "shop", on the database the test
created (FKG_DB_* from fkg_e2e.Database.env()), as the application role."""
import os

SECRET_KEY = "pg_fk_guard e2e"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = ["shop"]
# Django 3.2's own default: integer keys (AutoField) for models that declare none.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["FKG_DB_NAME"],
        "HOST": os.environ["FKG_DB_HOST"],
        "PORT": os.environ["FKG_DB_PORT"],
        "USER": os.environ["FKG_DB_USER"],
    }
}
# Connection options a test asks for (psycopg2 connect() keywords).
if os.environ.get("FKG_DJANGO_OPTIONS"):
    DATABASES["default"]["OPTIONS"] = {"options": os.environ["FKG_DJANGO_OPTIONS"]}
