from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Appointments, recurrences and calendars (a domain app beside referrals and health)."""

    name = "scheduling"
    verbose_name = "Appointments and calendars"
