"""Global configuration (CloudStack's "Global Settings"): definitions, values, pages, API."""
