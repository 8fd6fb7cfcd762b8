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


class TwoFactorRequiredMiddleware:
    """A signed-in user who must use two-factor sign-in (``two_factor_required``) and has
    not confirmed a code in this session reaches only the set-up page and log out: pages
    redirect to the set-up page, the API answers 403 saying so. A session of a user who
    has a device but never confirmed a code in it (signed in before setting it up) is
    ended, so they sign in again with both factors."""

    EXEMPT = frozenset({"accounts:two_factor_setup", "accounts:logout", "accounts:login"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.contrib.auth import logout
        from django.http import JsonResponse
        from django.shortcuts import redirect

        from .selectors import two_factor_enabled, two_factor_required

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        if not two_factor_required(user=user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in self.EXEMPT:
            return None
        if two_factor_enabled(user=user):
            logout(request)
            return redirect("accounts:login")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Two-factor sign-in is required for this account: "
                    "set it up at /accounts/2fa/setup/ first."
                },
                status=403,
            )
        return redirect("accounts:two_factor_setup")
