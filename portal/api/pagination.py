from rest_framework.pagination import LimitOffsetPagination


class PortalPagination(LimitOffsetPagination):
    """?limit= and ?offset=, as NetBox does; the page size is capped."""

    default_limit = 50
    max_limit = 1000
