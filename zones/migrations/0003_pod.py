"""Pods: a zone's pods, each a subnet and the range of it reserved for system VMs."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("zones", "0002_zonesetting"),
    ]

    operations = [
        migrations.CreateModel(
            name="Pod",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=255)),
                ("gateway", models.GenericIPAddressField(protocol="IPv4")),
                ("netmask", models.GenericIPAddressField(protocol="IPv4")),
                (
                    "start_ip",
                    models.GenericIPAddressField(protocol="IPv4", verbose_name="start IP"),
                ),
                ("end_ip", models.GenericIPAddressField(protocol="IPv4", verbose_name="end IP")),
                (
                    "allocation_state",
                    models.CharField(
                        choices=[("Enabled", "Enabled"), ("Disabled", "Disabled")],
                        default="Enabled",
                        max_length=16,
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pods",
                        to="zones.zone",
                    ),
                ),
            ],
            options={
                "ordering": ["zone__name", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("zone"),
                        django.db.models.functions.text.Lower("name"),
                        name="zones_pod_name_unique_in_zone",
                    )
                ],
            },
        ),
    ]
