"""PostgreSQL extensions every app relies on: btree_gist (exclusion constraints),
pg_trgm and unaccent (accent- and case-insensitive search)."""

from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations = [BtreeGistExtension(), TrigramExtension(), UnaccentExtension()]
