from django.apps import AppConfig


class HealthConfig(AppConfig):
    """Medications and adherence, crisis episodes, harm reduction (beside clients)."""

    name = "health"
    verbose_name = "Medications, crisis and harm reduction"

    def ready(self) -> None:
        from clients.chart import register_banner_warning, register_tab

        from .selectors import naloxone_warning

        register_tab(
            key="medications", label="Medications", url_name="health:medications", order=55
        )
        register_tab(key="crisis", label="Crisis", url_name="health:crisis", order=60)
        register_banner_warning(naloxone_warning)
