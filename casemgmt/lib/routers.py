"""The API router: ids in URLs are numbers, so anything else is a 404 at routing.

DRF's default lookup pattern (``[^/.]+``) lets ``/follow-ups/abc/reschedule/`` reach the
view, where ``filter(pk="abc")`` raises ``ValueError`` (a 500) in every action that
looks its object up by hand. Here the default is 1 to 18 digits (every id fits a
PostgreSQL ``bigint``), the same rule for every viewset; a viewset with a lookup of its
own (instruments by ``code``) sets ``lookup_value_regex`` and keeps it.
"""

from rest_framework.routers import DefaultRouter

ID_PATTERN = r"[0-9]{1,18}"


class NumericIdRouter(DefaultRouter):
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None and not getattr(
            viewset, "lookup_value_converter", None
        ):
            lookup_field = getattr(viewset, "lookup_field", "pk")
            kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            return f"(?P<{lookup_prefix}{kwarg}>{ID_PATTERN})"
        return super().get_lookup_regex(viewset, lookup_prefix)
