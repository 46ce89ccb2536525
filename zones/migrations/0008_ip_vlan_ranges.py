"""Public IP ranges of a zone with one row per address, and a zone's guest VLAN ranges with
one row per VLAN and their dedications to accounts."""

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0006_username_unique_only_whatever_its_case"),
        ("zones", "0007_storagepool"),
    ]

    operations = [
        migrations.CreateModel(
            name="VlanIpRange",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("vlan", models.CharField(default="untagged", max_length=32, verbose_name="VLAN")),
                ("gateway", models.GenericIPAddressField(protocol="IPv4")),
                ("netmask", models.GenericIPAddressField(protocol="IPv4")),
                (
                    "start_ip",
                    models.GenericIPAddressField(protocol="IPv4", verbose_name="start IP"),
                ),
                ("end_ip", models.GenericIPAddressField(protocol="IPv4", verbose_name="end IP")),
                (
                    "for_virtual_network",
                    models.BooleanField(default=True, verbose_name="for virtual network"),
                ),
                (
                    "pod",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ip_ranges",
                        to="zones.pod",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ip_ranges",
                        to="zones.zone",
                    ),
                ),
            ],
            options={
                "verbose_name": "public IP range",
                "ordering": ["zone__name", "start_ip"],
            },
        ),
        migrations.CreateModel(
            name="DedicatedGuestVlanRange",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("start", models.PositiveSmallIntegerField()),
                ("end", models.PositiveSmallIntegerField()),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dedicated_guest_vlan_ranges",
                        to="identity.account",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="dedicated_guest_vlan_ranges",
                        to="zones.zone",
                    ),
                ),
            ],
            options={
                "verbose_name": "dedicated guest VLAN range",
                "ordering": ["zone__name", "start"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end__lte", 4094), ("start__gte", 1), ("start__lte", models.F("end"))
                        ),
                        name="zones_dedicatedguestvlanrange_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="GuestVlan",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("vnet", models.PositiveSmallIntegerField(verbose_name="VLAN")),
                ("allocated", models.DateTimeField(blank=True, null=True)),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="guest_vlans",
                        to="identity.account",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guest_vlans",
                        to="zones.zone",
                    ),
                ),
            ],
            options={
                "verbose_name": "guest VLAN",
                "ordering": ["zone__name", "vnet"],
                "constraints": [
                    models.UniqueConstraint(fields=("zone", "vnet"), name="zones_guestvlan_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="GuestVlanRange",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("start", models.PositiveSmallIntegerField()),
                ("end", models.PositiveSmallIntegerField()),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guest_vlan_ranges",
                        to="zones.zone",
                    ),
                ),
            ],
            options={
                "verbose_name": "guest VLAN range",
                "ordering": ["zone__name", "start"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("zone", "start"), name="zones_guestvlanrange_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end__lte", 4094), ("start__gte", 1), ("start__lte", models.F("end"))
                        ),
                        name="zones_guestvlanrange_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PublicIpAddress",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                ("address", models.GenericIPAddressField(protocol="IPv4")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("Free", "Free"),
                            ("Allocated", "Allocated"),
                            ("Releasing", "Releasing"),
                        ],
                        default="Free",
                        max_length=16,
                    ),
                ),
                ("allocated", models.DateTimeField(blank=True, null=True)),
                (
                    "account",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="public_ip_addresses",
                        to="identity.account",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="public_ip_addresses",
                        to="zones.zone",
                    ),
                ),
                (
                    "range",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addresses",
                        to="zones.vlaniprange",
                    ),
                ),
            ],
            options={
                "verbose_name": "public IP address",
                "ordering": ["zone__name", "address"],
                "indexes": [
                    models.Index(fields=["range", "state"], name="zones_publicip_range_state")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("zone", "address"), name="zones_publicipaddress_unique_in_zone"
                    )
                ],
            },
        ),
    ]
