"""CloudStack API commands for pods: listPods, createPod, updatePod, deletePod (root admins
only, as in CloudStack).

Answers are CloudStack's PodResponse as of 4.16 and later: the pod's ranges in `ipranges`
({startip, endip, forsystemvms, vlanid}), and the same values in the parallel lists
`startip`, `endip`, `forsystemvms` and `vlanid` (deprecated by CloudStack, still read by its
Go SDK, Terraform's provider and Ansible's cs_pod). A pod has one range here: the one
createPod makes, not dedicated to system VMs, untagged.
"""

from __future__ import annotations

from typing import Any

from portal.cloudstack.calls import SUCCESS_FIELDS, Call, ListResult, success
from portal.cloudstack.params import id_param, list_id_param, list_name_param
from portal.cloudstack.registry import ROOT_ONLY, Param, command
from zones import services
from zones.cloudstack.capacity import capacities_shown
from zones.models import AllocationState, Pod
from zones.selectors import pods_filtered, pods_visible_to, zones_visible_to

POD_FIELDS = (
    "id",
    "name",
    "zoneid",
    "zonename",
    "gateway",
    "netmask",
    "ipranges",
    "startip",
    "endip",
    "forsystemvms",
    "vlanid",
    "allocationstate",
    "capacity",
)
#: how CloudStack names the VLAN of a range without one
UNTAGGED = "vlan://untagged"


def pod_response(pod: Pod) -> dict[str, Any]:
    ranges = [
        {"startip": pod.start_ip, "endip": pod.end_ip, "forsystemvms": "0", "vlanid": UNTAGGED}
    ]
    return {
        "id": str(pod.pk),
        "name": pod.name,
        "zoneid": str(pod.zone_id),
        "zonename": pod.zone.name,
        "gateway": pod.gateway,
        "netmask": pod.netmask,
        "ipranges": ranges,
        **{key: [each[key] for each in ranges] for key in ranges[0]},
        "allocationstate": pod.allocation_state,
    }


# Parameters createPod and updatePod share (optional in updatePod).
def _pod_params(*, creating: bool) -> list[Param]:
    return [
        Param("gateway", required=creating, description="The gateway of the pod's subnet."),
        Param("netmask", required=creating, description="The netmask of the pod's subnet."),
        Param(
            "startip",
            required=creating,
            description="The first IP address of the range reserved for system VMs.",
            field="start_ip",
        ),
        Param(
            "endip",
            description="The last IP address of the range (the start IP alone if empty).",
            field="end_ip",
        ),
        Param("allocationstate", description="Enabled or Disabled.", field="allocation_state"),
    ]


def _fields(call: Call) -> dict[str, Any]:
    kwargs = call.fields("name", "gateway", "netmask", "startip", "endip")
    if call.has("allocationstate"):
        kwargs["allocation_state"] = call.choice("allocationstate", AllocationState)
    return kwargs


@command(
    "listPods",
    description="Lists the pods of this region's zones.",
    params=[
        list_id_param("pod"),
        list_name_param("pods"),
        Param("zoneid", "uuid", description="List the pods of this zone.", field="zone"),
        Param(
            "allocationstate",
            description="List the pods in this allocation state.",
            field="allocation_state",
        ),
        Param("showcapacities", "boolean", description="Answer each pod's capacities too."),
    ],
    roles=ROOT_ONLY,
    list_key="pod",
    response=POD_FIELDS,
)
def list_pods(call: Call) -> ListResult:
    # A zone that is not there is an invalid value, as in CloudStack, not an empty list.
    call.find(zones_visible_to(actor=call.actor), "zoneid", required=False)
    filters = call.fields("zoneid", "name", "allocationstate")
    pods = pods_filtered(actor=call.actor, filters=filters, lenient=True)
    if call.has("id"):
        pods = pods.filter(pk=call.get("id"))
    return capacities_shown(call, call.page(pods, pod_response))


@command(
    "createPod",
    description="Creates a pod in a zone of this region.",
    params=[
        Param("name", required=True, description="The name of the pod."),
        Param("zoneid", "uuid", required=True, description="The zone of the pod.", field="zone"),
        *_pod_params(creating=True),
    ],
    roles=ROOT_ONLY,
    response=POD_FIELDS,
)
def create_pod(call: Call) -> dict[str, Any]:
    zone = call.find(zones_visible_to(actor=call.actor), "zoneid")
    pod = services.pod_create(zone=zone, **_fields(call), by=call.actor)
    return {"pod": pod_response(pod)}


@command(
    "updatePod",
    description="Updates a pod of this region.",
    params=[
        id_param("pod"),
        Param("name", description="The new name of the pod."),
        *_pod_params(creating=False),
    ],
    roles=ROOT_ONLY,
    response=POD_FIELDS,
)
def update_pod(call: Call) -> dict[str, Any]:
    pod = call.find(pods_visible_to(actor=call.actor), "id")
    pod = services.pod_update(pod=pod, **_fields(call), by=call.actor)
    return {"pod": pod_response(pod)}


@command(
    "deletePod",
    description="Deletes a pod of this region.",
    params=[id_param("pod")],
    roles=ROOT_ONLY,
    response=SUCCESS_FIELDS,
)
def delete_pod(call: Call) -> dict[str, Any]:
    services.pod_delete(pod=call.find(pods_visible_to(actor=call.actor), "id"), by=call.actor)
    return success()
