import hashlib
from contextlib import AbstractContextManager
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from casemgmt.lib.dates import validate_time_zone


class Role(models.TextChoices):
    """Roles are Django groups with these names (created by a data migration)."""

    CASE_MANAGER = "case manager", "Case manager"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"
    AUDITOR = "auditor", "Auditor"


class User(AbstractUser):
    """Staff user. Custom from the first migration so it can grow without pain."""

    title = models.CharField(max_length=100, blank=True, help_text="e.g. Case manager, LCSW")
    phone = models.CharField(max_length=40, blank=True)
    # An account of an outside organisation (a partner reading the FHIR API): the
    # organisation's id in the resource directory (referrals.Organization; only the id,
    # the directory is referrals'). Its substance use (42 CFR Part 2) records reach it only
    # under an active Part 2 consent naming that organisation, each read accounted for.
    outside_organization_directory_id = models.PositiveIntegerField(
        "outside organisation (directory id)",
        null=True,
        blank=True,
        help_text="Set for an account of an outside organisation: its resource directory id.",
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.has_role(Role.ADMIN)

    @property
    def is_auditor_role(self) -> bool:
        return self.has_role(Role.AUDITOR)

    @property
    def is_supervisor_role(self) -> bool:
        return self.has_role(Role.SUPERVISOR)

    @property
    def can_read_audit(self) -> bool:
        return self.is_admin_role or self.is_auditor_role

    @property
    def is_audit_only(self) -> bool:
        """An auditor with no clinical or admin role: sees the audit pages only (their
        home is the audit search; no caseload menus, no Today page)."""
        return self.is_auditor_role and not (
            self.is_admin_role or self.has_role(Role.SUPERVISOR) or self.has_role(Role.CASE_MANAGER)
        )


class AuthenticatedHttpRequest(HttpRequest):
    """A type, never built: the request a login-required view receives, whose ``user``
    is a signed-in ``User`` rather than ``User | AnonymousUser``."""

    user: User


class Team(models.Model):
    """A program or clinic team: its members work its clients, its supervisors oversee them."""

    name = models.CharField(max_length=120, unique=True)
    program = models.CharField(
        max_length=80,
        blank=True,
        help_text="The program the team delivers (e.g. Assertive Community Treatment); "
        "dashboards filter by it.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text="The IANA name of the team's time zone (e.g. America/Chicago): the team's "
        "dates (due today, follow-up windows, deadlines) are its local dates.",
    )
    holiday_country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Public holidays of this country (ISO code, e.g. US) are not business "
        "days for referral response deadlines. Blank: none.",
    )
    holiday_subdivision = models.CharField(
        max_length=10,
        blank=True,
        help_text="And of this state or province (e.g. CA for California). Blank: the "
        "country's holidays only.",
    )
    is_active = models.BooleanField(default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervised_teams", blank=True
    )
    cosign_required = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="cosign_required_in",
        blank=True,
        verbose_name="staff whose notes need a co-signature",
        help_text="Members (e.g. trainees, peer specialists) whose contact notes, once "
        "signed, are co-signed by a supervisor of the team.",
    )
    no_contact_days = models.PositiveSmallIntegerField(
        "no contact after (days)",
        default=30,
        help_text="A client in intake or active with no contact (in person, phone or video) "
        'for this many days is listed on the supervisor\'s "No recent contact" queue.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    # The team's local time, in one place: times are stored in UTC and a client's dates
    # (due days, "today", signed on) are read in the time zone of the client's team.
    @property
    def zone(self) -> ZoneInfo:
        """The team's time zone: client dates (due days, "today") are read in it."""
        return ZoneInfo(self.time_zone)

    def local_date(self, when: datetime | date | None = None) -> date:
        """The calendar day of ``when`` (default: now) in the team's time zone. A date is
        returned as it is, and a naive datetime is taken as already local."""
        if isinstance(when, datetime):
            if timezone.is_naive(when):
                return when.date()
            return timezone.localdate(when, timezone=self.zone)
        if isinstance(when, date):
            return when
        return timezone.localdate(timezone=self.zone)

    def clean(self) -> None:
        """The holiday calendar exists in the ``holidays`` package (python-holidays)."""
        super().clean()
        import holidays

        country, subdivision = self.holiday_country.upper(), self.holiday_subdivision.upper()
        self.holiday_country, self.holiday_subdivision = country, subdivision
        supported = holidays.list_supported_countries()
        if subdivision and not country:
            raise ValidationError({"holiday_country": "Choose the country of the state."})
        if country and country not in supported:
            raise ValidationError(
                {"holiday_country": "No public holiday calendar for this country code."}
            )
        if subdivision and subdivision not in supported[country]:
            raise ValidationError(
                {"holiday_subdivision": f"Not a subdivision of {country} with a calendar."}
            )

    def public_holidays(self, years: range | list[int]) -> dict[date, str]:
        """The team's public holidays in ``years`` (day: name); none without a country."""
        if not self.holiday_country:
            return {}
        import holidays

        return dict(
            holidays.country_holidays(
                self.holiday_country,
                subdiv=self.holiday_subdivision or None,
                years=list(years),
            )
        )

    @property
    def holiday_calendar_label(self) -> str:
        """How the page names the calendar: "US-CA public holidays", or ""."""
        if not self.holiday_country:
            return ""
        sub = f"-{self.holiday_subdivision}" if self.holiday_subdivision else ""
        return f"{self.holiday_country}{sub} public holidays"

    def local_time(self) -> AbstractContextManager[None]:
        """``with team.local_time():`` shows and reads times (templates, forms) in the
        team's time zone rather than the user's."""
        return timezone.override(self.zone)


class ApiToken(models.Model):
    """An API token of one user on one device (``name``): at most one per device, a new
    one replaces it. Only the SHA-256 of the token is kept (the token is 32 random bytes,
    so a fast hash is enough); the first characters (``prefix``) let the owner tell
    tokens apart. It stops working at ``expires_at`` (``API_TOKEN_TTL_DAYS``) or when
    revoked (the row is deleted)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("device", max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class LoginThrottle(models.Model):
    """Failed sign-ins of one username (``key`` "user:<name>"), or of one known device of
    a user (``key`` "device:<id>"), counted since the last success or the last quiet day.

    After ``LOGIN_THROTTLE_FREE_FAILURES`` failures each new one makes the next attempt
    wait twice as long (2, 4, 8, ... seconds, at most ``LOGIN_THROTTLE_MAX_SECONDS``):
    guessing slows down, but the account is never locked, and a browser that has signed
    in to it before has a bucket of its own, so failures elsewhere do not keep its owner
    out."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    wait_until = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
