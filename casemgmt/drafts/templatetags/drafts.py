"""``{% draft_form %}`` inside a long form; ``{% idle_warning %}`` once in base.html.

``draft_form`` marks the form as one that keeps drafts (the hidden ``_draft`` field names
its page; ``drafts.js`` autosaves it), and on a GET with a kept draft of this page shows
the message and the kept values, which ``drafts.js`` puts back into the fields.
"""

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casemgmt.drafts.browser import PAGE_FIELD
from casemgmt.drafts.selectors import draft_for_page
from casemgmt.drafts.services import draft_restored

register = template.Library()


@register.inclusion_tag("drafts/_draft_form.html", takes_context=True)
def draft_form(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    page = request.get_full_path()
    draft = None
    saved_at = ""
    if request.method == "GET" and request.user.is_authenticated:
        draft = draft_for_page(user=request.user, path=page)
        if draft is not None:
            draft_restored(user=request.user, draft=draft)
            saved = timezone.localtime(draft.updated_at)
            saved_at = (
                f"{saved:%H:%M}"
                if saved.date() == timezone.localdate()
                else f"{saved:%b} {saved.day}, {saved:%H:%M}"
            )
    return {
        "field_name": PAGE_FIELD,
        "page": page,
        "draft": draft,
        "saved_at": saved_at,
        "autosave_url": reverse("drafts:autosave"),
        "discard_url": reverse("drafts:discard"),
        "autosave_seconds": settings.DRAFT_AUTOSAVE_SECONDS,
    }


@register.inclusion_tag("drafts/_idle_warning.html", takes_context=True)
def idle_warning(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {
        "show": request.user.is_authenticated,
        "csrf_token": context.get("csrf_token", ""),
        "idle_seconds": settings.SESSION_COOKIE_AGE,
        "warning_seconds": settings.IDLE_WARNING_SECONDS,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
        "keepalive_url": reverse("drafts:keepalive"),
        "login_url": reverse(settings.LOGIN_URL),
    }
