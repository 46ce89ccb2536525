"""CloudStack API commands for the region registry and the global configuration: thin
handlers over regions.services and regions.configuration."""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.registry import ADMINS, ROOT_ONLY, Param, command
from portal.cloudstack.render import CLOUDSTACK_VERSION
from regions import services
from regions.configuration import selectors as configuration
from regions.configuration import services as configuration_services
from regions.configuration.values import MAX_STRING_LENGTH
from regions.models import Region
from regions.models.configuration import Setting, SettingScope, SettingType
from regions.selectors import regions_filtered, regions_visible_to

REGION_FIELDS = ("id", "name", "endpoint", "gslbserviceenabled", "portableipserviceenabled")


def region_response(region: Region) -> dict[str, Any]:
    return {
        "id": region.pk,
        "name": region.name,
        "endpoint": region.endpoint,
        "gslbserviceenabled": region.gslb_service_enabled,
        "portableipserviceenabled": region.portable_ip_service_enabled,
    }


def _region(call: Call) -> Region:
    return call.find(regions_visible_to(actor=call.actor), "id")


@command(
    "listRegions",
    description="Lists regions.",
    params=[
        Param("id", "integer", description="List a region by its id."),
        Param("name", description="List a region by its name."),
    ],
    list_key="region",
    response=REGION_FIELDS,
)
def list_regions(call: Call) -> ListResult:
    regions = regions_filtered(actor=call.actor, filters=call.fields("id", "name"), lenient=True)
    return call.page(regions, region_response)


@command(
    "addRegion",
    description="Adds a region to the registry.",
    params=[
        Param("id", "integer", required=True, description="Id of the region, cloud-wide."),
        Param("name", required=True, description="Name of the region."),
        Param("endpoint", required=True, description="URL of the region's portal."),
    ],
    roles=ROOT_ONLY,
    response=REGION_FIELDS,
)
def add_region(call: Call) -> dict[str, Any]:
    region = services.region_create(
        id=call.get("id"), name=call.get("name"), endpoint=call.get("endpoint"), by=call.actor
    )
    return {"region": region_response(region)}


@command(
    "updateRegion",
    description="Updates a region's name or endpoint.",
    params=[
        Param("id", "integer", required=True, description="Id of the region."),
        Param("name", description="New name of the region."),
        Param("endpoint", description="New endpoint of the region."),
    ],
    roles=ROOT_ONLY,
    response=REGION_FIELDS,
)
def update_region(call: Call) -> dict[str, Any]:
    region = services.region_update(
        region=_region(call), **call.fields("name", "endpoint"), by=call.actor
    )
    return {"region": region_response(region)}


@command(
    "removeRegion",
    description="Removes a region from the registry.",
    params=[Param("id", "integer", required=True, description="Id of the region.")],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def remove_region(call: Call) -> dict[str, Any]:
    services.region_delete(region=_region(call), by=call.actor)
    return success()


# --- global configuration ------------------------------------------------------------------

CONFIGURATION_FIELDS = (
    "name",
    "category",
    "value",
    "defaultvalue",
    "description",
    "type",
    "options",
    "scope",
    "isdynamic",
    "source",
)
_TYPE_NAMES = {
    SettingType.STRING: "String",
    SettingType.INTEGER: "Integer",
    SettingType.FLOAT: "Float",
    SettingType.BOOLEAN: "Boolean",
    SettingType.CHOICE: "String",
}


def configuration_response(setting: Setting, *, value: str, source: str) -> dict[str, Any]:
    """A setting as CloudStack's ConfigurationResponse; VALUE is the effective one."""
    return {
        "name": setting.name,
        "category": setting.category,
        "value": value,
        "defaultvalue": setting.default,
        "description": setting.description,
        "type": _TYPE_NAMES.get(setting.type, "String"),
        "options": ",".join(setting.choices) or None,
        "scope": setting.scope,
        "isdynamic": True,
        "source": source,
    }


def _listed_configuration(setting: Setting) -> dict[str, Any]:
    return configuration_response(setting, value=setting.effective, source=setting.source)


def _zone_param(call: Call) -> Any:
    return call.find(configuration.local_zones(actor=call.actor), "zoneid", required=False)


@command(
    "listConfigurations",
    description="Lists the global configuration: every setting with its effective value.",
    params=[
        Param("name", description="List the setting with this name."),
        Param("category", description="List the settings of this category."),
        Param("scope", description="global, region or zone."),
        Param(
            "zoneid",
            "uuid",
            description="The values in this zone (zone-scoped settings).",
            field="zone",
        ),
    ],
    roles=ADMINS,
    list_key="configuration",
    response=CONFIGURATION_FIELDS,
)
def list_configurations(call: Call) -> ListResult:
    zone = _zone_param(call)
    filters = call.fields("name", "category", "scope")
    if zone is not None:
        filters["scope"] = SettingScope.ZONE
    settings = configuration.settings_filtered(
        actor=call.actor, filters=filters, lenient=True, zone=zone
    )
    return call.page(settings, _listed_configuration, keyword=("name", "description"))


@command(
    "updateConfiguration",
    description="Sets a setting; without value, back to its default (or, with zoneid, to "
    "this region's value in that zone).",
    params=[
        Param("name", required=True, description="The name of the setting."),
        Param(
            "value",
            description="The new value; left out, the setting is reset.",
            length=MAX_STRING_LENGTH,
        ),
        Param("zoneid", "uuid", description="Set the value for this zone only.", field="zone"),
    ],
    roles=ROOT_ONLY,
    response=CONFIGURATION_FIELDS,
)
def update_configuration(call: Call) -> dict[str, Any]:
    zone, name = _zone_param(call), call.get("name")
    if call.has("value"):
        setting = configuration_services.setting_update(
            name=name, value=call.get("value"), zone=zone, by=call.actor
        )
    else:
        setting = configuration_services.setting_reset(name=name, zone=zone, by=call.actor)
    value, source = configuration.setting_text(setting.name, zone=zone)
    return {"configuration": configuration_response(setting, value=value, source=source)}


@command(
    "listCapabilities",
    description="Lists the capabilities of this cloud.",
    response=("capability",),
)
def list_capabilities(call: Call) -> dict[str, Any]:
    return {
        "capability": {
            "cloudstackversion": CLOUDSTACK_VERSION,
            "securitygroupsenabled": False,
            "dynamicrolesenabled": False,
            "projectinviterequired": False,
            "allowusercreateprojects": bool(
                configuration.setting_value("allow.user.create.projects")
            ),
            "regionsecondaryenabled": False,
            "userpublictemplateenabled": False,
            "kvmsnapshotenabled": False,
            "kubernetesserviceenabled": False,
            "apilimitinterval": 0,
            "apilimitmax": 0,
            "defaultuipagesize": 20,
            "sessiontimeout": int(configuration.setting_value("session.timeout")) * 60,
        }
    }
