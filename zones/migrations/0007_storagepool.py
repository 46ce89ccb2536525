"""Storage pools: a zone's primary storage, cluster- or zone-wide, with its size and state."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("zones", "0006_host"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoragePool",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "scope",
                    models.CharField(
                        choices=[("CLUSTER", "Cluster"), ("ZONE", "Zone")],
                        default="CLUSTER",
                        max_length=16,
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                ("url", models.CharField(max_length=255, verbose_name="URL")),
                (
                    "pool_type",
                    models.CharField(
                        choices=[
                            ("NetworkFilesystem", "NetworkFilesystem"),
                            ("SharedMountPoint", "SharedMountPoint"),
                            ("Filesystem", "Filesystem"),
                        ],
                        max_length=32,
                        verbose_name="type",
                    ),
                ),
                ("host_address", models.CharField(max_length=255, verbose_name="server")),
                ("path", models.CharField(max_length=255)),
                (
                    "hypervisor",
                    models.CharField(
                        choices=[("KVM", "KVM"), ("Simulator", "Simulator")], max_length=32
                    ),
                ),
                ("capacity_bytes", models.BigIntegerField(verbose_name="capacity (bytes)")),
                ("used_bytes", models.BigIntegerField(default=0, verbose_name="used (bytes)")),
                (
                    "allocated_bytes",
                    models.BigIntegerField(default=0, verbose_name="allocated (bytes)"),
                ),
                ("tags", models.CharField(blank=True, max_length=1024)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("Up", "Up"),
                            ("Disabled", "Disabled"),
                            ("PrepareForMaintenance", "PrepareForMaintenance"),
                            ("Maintenance", "Maintenance"),
                            ("ErrorInMaintenance", "ErrorInMaintenance"),
                        ],
                        default="Up",
                        max_length=32,
                    ),
                ),
                (
                    "cluster",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="storage_pools",
                        to="zones.cluster",
                    ),
                ),
                (
                    "pod",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="storage_pools",
                        to="zones.pod",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="storage_pools",
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
                        name="zones_storagepool_name_unique_in_zone",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("cluster__isnull", False),
                                ("pod__isnull", False),
                                ("scope", "CLUSTER"),
                            ),
                            models.Q(
                                ("cluster__isnull", True), ("pod__isnull", True), ("scope", "ZONE")
                            ),
                            _connector="OR",
                        ),
                        name="zones_storagepool_scope_places",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("allocated_bytes__gte", 0),
                            ("capacity_bytes__gt", 0),
                            ("used_bytes__gte", 0),
                        ),
                        name="zones_storagepool_sizes",
                    ),
                ],
            },
        ),
    ]
