"""ZoneSetting moves to the zones app (issue 11: no model cycle between the layers).

The table is renamed here; zones 0002 takes the model into its own state, so no row moves.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0006_peerlink_drained_at"),
        ("zones", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="zonesetting", table="zones_zonesetting"),
            ],
            state_operations=[migrations.DeleteModel(name="ZoneSetting")],
        ),
    ]
