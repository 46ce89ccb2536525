"""Every region starts with the same ROOT domain (a fixed UUID), so replication sees one."""

from django.db import migrations

ROOT_DOMAIN_ID = "00000000-0000-4000-8000-000000000001"


def create_root(apps, schema_editor):
    Domain = apps.get_model("identity", "Domain")
    Domain.objects.get_or_create(pk=ROOT_DOMAIN_ID, defaults={"name": "ROOT", "path": "ROOT"})


def remove_root(apps, schema_editor):
    apps.get_model("identity", "Domain").objects.filter(pk=ROOT_DOMAIN_ID).delete()


class Migration(migrations.Migration):
    dependencies = [("identity", "0001_initial")]
    operations = [migrations.RunPython(create_root, remove_root)]
