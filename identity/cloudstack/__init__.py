"""identity's part of the CloudStack API: its commands (commands.py: domains, accounts,
users, projects, keys, login's answers), the async job queries (jobs.py) and how a caller
is known (auth.py: signed requests, sessions, login and logout; the kernel's dispatcher
finds it through settings.CLOUDSTACK_AUTH). Importing the package registers its commands."""

from identity.cloudstack import commands, jobs  # noqa: F401  (registers the commands)
