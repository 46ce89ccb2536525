"""Clusters: a pod's clusters, each of one hypervisor, with its overcommit ratios."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("zones", "0003_pod"),
    ]

    operations = [
        migrations.CreateModel(
            name="Cluster",
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
                (
                    "hypervisor",
                    models.CharField(
                        choices=[("KVM", "KVM"), ("Simulator", "Simulator")], max_length=32
                    ),
                ),
                (
                    "cluster_type",
                    models.CharField(
                        choices=[("CloudManaged", "CloudManaged")],
                        default="CloudManaged",
                        max_length=32,
                    ),
                ),
                (
                    "arch",
                    models.CharField(
                        choices=[("x86_64", "x86_64")],
                        default="x86_64",
                        max_length=16,
                        verbose_name="CPU arch",
                    ),
                ),
                (
                    "allocation_state",
                    models.CharField(
                        choices=[("Enabled", "Enabled"), ("Disabled", "Disabled")],
                        default="Enabled",
                        max_length=16,
                    ),
                ),
                (
                    "cpu_overcommit_ratio",
                    models.FloatField(default=1.0, verbose_name="CPU overcommit ratio"),
                ),
                (
                    "memory_overcommit_ratio",
                    models.FloatField(default=1.0, verbose_name="memory overcommit ratio"),
                ),
                (
                    "pod",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="clusters",
                        to="zones.pod",
                    ),
                ),
            ],
            options={
                "ordering": ["pod__zone__name", "pod__name", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("pod"),
                        django.db.models.functions.text.Lower("name"),
                        name="zones_cluster_name_unique_in_pod",
                    )
                ],
            },
        ),
    ]
