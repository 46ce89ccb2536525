"""The CloudStack-compatible API at /client/api: the same commands, signatures and envelopes
as CloudStack's, so CloudMonkey, the `cs` library and Terraform work against a region.

Commands live with their apps (`identity/cloudstack/`, `regions/cloudstack.py`,
`zones/cloudstack.py`) as thin handlers over the apps' services and selectors; this package
holds what they share: the registry, parameter parsing, rendering, errors and async jobs.
How a caller is known (signatures, sessions, login) is identity's: the dispatcher finds it
through settings.CLOUDSTACK_AUTH.
"""
