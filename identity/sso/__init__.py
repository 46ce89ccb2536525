"""Single sign-on between regions: every region is an OpenID Connect provider for its
signed-in users and a client of every other region, all derived from the replicated
region registry (allauth's `idp.oidc` on one side, a `region` social provider on the other).
"""
