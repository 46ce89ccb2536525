"""Parameters several of identity's commands take, each declared once: its name, what it
fills and how listApis describes it."""

from __future__ import annotations

from portal.cloudstack.registry import Param

#: a user's or an account's state, as the lists filter by it
STATE = Param("state", description="enabled, disabled or locked.")


def account_type_param(field: str) -> Param:
    """CloudStack's account type code, filling FIELD (`type` of an account)."""
    return Param(
        "accounttype", "integer", description="0 user, 1 root admin, 2 domain admin.", field=field
    )


def network_domain_param(owner: str) -> Param:
    """The network domain of an OWNER (domain, account) for its networks."""
    return Param(
        "networkdomain",
        description=f"Network domain for the {owner}'s networks.",
        field="network_domain",
    )


def profile_params(of: str = "") -> tuple[Param, Param, Param, Param]:
    """A user's email, first and last name and time zone (described as OF's, when given)."""
    whose = f" of {of}" if of else ""
    return (
        Param("email", description=f"Email{whose}."),
        Param("firstname", description=f"First name{whose}.", field="first_name"),
        Param("lastname", description=f"Last name{whose}.", field="last_name"),
        Param("timezone", description=f"Time zone{whose}, such as Europe/Paris."),
    )


#: the parameters of profile_params, as call.fields names them
PROFILE = ("email", "firstname", "lastname", "timezone")
