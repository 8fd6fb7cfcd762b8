from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Care plans"

    def ready(self) -> None:
        from clients.chart import register_banner_warning, register_tab

        from .selectors import no_safety_plan_warning

        register_tab(key="careplan", label="Care plan", url_name="careplans:client_plan", order=30)
        register_banner_warning(no_safety_plan_warning)
