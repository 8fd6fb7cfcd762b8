from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    """Appointments, recurrences and calendars (a domain app beside referrals and health)."""

    name = "scheduling"
    verbose_name = "Appointments and calendars"

    def ready(self) -> None:
        from clients.chart import register_tab

        register_tab(
            key="appointments",
            label="Appointments",
            url_name="scheduling:client_appointments",
            order=35,
        )
