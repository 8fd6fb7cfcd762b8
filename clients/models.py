from datetime import date

from django.conf import settings
from django.db import models


class ClientStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DISCHARGED = "discharged", "Discharged"


class Client(models.Model):
    """A person served by a team. First cut: identity, status, team, case manager."""

    client_number = models.CharField(max_length=20, unique=True, editable=False)
    first_name = models.CharField("legal first name", max_length=100)
    last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    status = models.CharField(
        max_length=20, choices=ClientStatus.choices, default=ClientStatus.REFERRED
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    primary_case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_clients",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["team", "status"], name="client_team_status"),
            models.Index(fields=["primary_case_manager", "status"], name="client_cm_status"),
            models.Index(fields=["last_name", "first_name"], name="client_name"),
            models.Index(fields=["date_of_birth"], name="client_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.client_number})"

    @property
    def display_name(self) -> str:
        """Preferred name first, as the client wants to be called."""
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def age(self) -> int:
        from django.utils import timezone

        return self.age_on(timezone.localdate())
