"""Reads about users and teams; the access scope every domain app builds on."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

from .models import ApiToken, Team, User


def team_ids_in_reach(*, user: User) -> QuerySet[Team, Mapping[str, Any]] | None:
    """Ids of the teams whose clients ``user`` may see, as a subquery; ``None`` means all.

    A case manager reaches the teams they belong to, a supervisor the teams they
    supervise (and belong to), an admin every team. Anyone else reaches none.
    """
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none().values("id")
    if user.is_admin_role:
        return None
    # DISTINCT: the two joins multiply rows (members x supervisors); callers that list
    # the ids literally would repeat each one and mislead the planner's estimates.
    return (
        Team.objects.filter(Q(members=user) | Q(supervisors=user))
        .order_by()
        .values("id")
        .distinct()
    )


def team_list(*, user: User) -> QuerySet[Team]:
    """Teams in reach of ``user``, ordered by name."""
    ids = team_ids_in_reach(user=user)
    qs = Team.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(id__in=ids)


def program_list(*, user: User) -> list[str]:
    """The programs of the active teams in reach of ``user``, sorted (one query)."""
    teams = team_list(user=user).exclude(program="").order_by("program")
    return list(teams.values_list("program", flat=True).distinct())


def staff_list(*, user: User) -> QuerySet[User]:
    """Active staff who belong to a team in reach of ``user`` (for case manager pick-lists)."""
    ids = team_ids_in_reach(user=user)
    qs = User.objects.filter(is_active=True)
    if ids is not None:
        qs = qs.filter(teams__in=ids)
    else:
        qs = qs.filter(teams__isnull=False)
    return qs.distinct().order_by("last_name", "first_name", "username")


def user_is_team_member(*, user: User, team: Team) -> bool:
    return team.members.filter(pk=user.pk).exists()


def user_supervises_team(*, user: User, team: Team) -> bool:
    """Whether ``user`` may act as ``team``'s supervisor: one of its supervisors, or an
    admin (who supervises every team). Approving care plans and reading a client's
    access log need it."""
    if user.is_admin_role:
        return True
    return team.supervisors.filter(pk=user.pk).exists()


def supervised_team_ids(*, user: User) -> list[int] | None:
    """Ids of the teams whose work ``user`` reviews as a supervisor (approvals,
    co-signatures, the supervisor's queues): the teams they supervise; ``None`` for an
    admin (every team, as ``user_supervises_team``); ``[]`` for anyone else. One query."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_admin_role:
        return None
    return list(user.supervised_teams.filter(is_active=True).values_list("id", flat=True))


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (never another user's)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_find(*, raw: str) -> ApiToken | None:
    """The token row for a presented token, with its user; None when unknown."""
    return ApiToken.objects.select_related("user").filter(digest=ApiToken.digest_of(raw)).first()


def two_factor_required(*, user: User) -> bool:
    """Must this user sign in with a second factor? Staff, superusers and admins always;
    everyone when ``OTP_REQUIRED_FOR_ALL``."""
    from django.conf import settings

    return bool(
        settings.OTP_REQUIRED_FOR_ALL or user.is_staff or user.is_superuser or user.is_admin_role
    )


def two_factor_enabled(*, user: User) -> bool:
    """Has this user a confirmed second factor (an authenticator app)?"""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())
