"""The two-tenant world of the access-control tests, as a fixture."""

from .world import world  # noqa: F401
