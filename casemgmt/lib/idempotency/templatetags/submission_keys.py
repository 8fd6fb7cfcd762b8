"""``{% submission_key_value %}``: a fresh one-time key for a create form (see
``partials/submission_key.html``)."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def submission_key_value() -> str:
    return str(uuid.uuid4())
