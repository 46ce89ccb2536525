"""identity's part of the CloudStack API, a module per API category: domains, accounts,
users (with API keys), projects and events (listEvents, from the change log); the answers
they share (responses.py), how they find their rows (lookups.py), the async job queries
(jobs.py) and how a caller is known (auth.py: signed requests, sessions, login and logout;
the kernel's dispatcher finds it through settings.CLOUDSTACK_AUTH). Importing the package
registers its commands."""

from identity.cloudstack import accounts, domains, events, jobs, projects, users  # noqa: F401
