"""Template tags for the portal's messages (rendered by the outbox when it sends)."""

from django import template

register = template.Library()


@register.simple_tag
def portal_link(link_id: int) -> str:
    """The link's full address, with its token derived now (never stored)."""
    from portal.services import portal_message_link

    return portal_message_link(int(link_id))


@register.simple_tag
def portal_link_language(link_id: int) -> str:
    """The language of the client the link is for ("es" or "en")."""
    from portal.selectors import link_language

    return link_language(link_id=int(link_id))
