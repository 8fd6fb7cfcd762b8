"""Show times in the user's team time zone (times are stored in UTC)."""

import zoneinfo

from django.utils import timezone

_SESSION_KEY = "team_time_zone"


def team_time_zone_name(user) -> str:
    team = user.teams.order_by("name").first() or user.supervised_teams.order_by("name").first()
    return team.time_zone if team else ""


def remember_time_zone(sender, request, user, **kwargs) -> None:
    """On login (``user_logged_in``): keep the team's zone in the session."""
    request.session[_SESSION_KEY] = team_time_zone_name(user)


class TeamTimezoneMiddleware:
    """Activate the time zone of the user's (first) team for this request.

    The zone is looked up at login and kept in the session; staff in no team see the
    default ``TIME_ZONE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(_SESSION_KEY)
            if name is None:
                team = (
                    user.teams.order_by("name").first()
                    or user.supervised_teams.order_by("name").first()
                )
                name = team.time_zone if team else ""
                request.session[_SESSION_KEY] = name
            if name:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(name))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
