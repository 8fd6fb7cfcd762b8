"""Reads for drafts: a user's draft of one form page."""

from casemgmt.accounts.models import User
from casemgmt.drafts.models import Draft


def draft_for_page(*, user: User, path: str) -> Draft | None:
    """The signed-in user's own draft of the form at ``path``, if one is kept."""
    return Draft.objects.filter(user=user, path=path, needs_claim=False).first()
