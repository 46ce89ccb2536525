"""ZoneSetting, moved here from the regions app (its table was renamed by regions 0007)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0007_zonesetting_moves_to_zones"),
        ("zones", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ZoneSetting",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        ("value", models.TextField()),
                        (
                            "setting",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="zone_values",
                                to="regions.setting",
                            ),
                        ),
                        (
                            "zone",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="setting_values",
                                to="zones.zone",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["setting__name", "zone__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("setting", "zone"), name="regions_zonesetting_unique"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RemoveConstraint(model_name="zonesetting", name="regions_zonesetting_unique"),
        migrations.AddConstraint(
            model_name="zonesetting",
            constraint=models.UniqueConstraint(
                fields=("setting", "zone"), name="zones_zonesetting_unique"
            ),
        ),
    ]
