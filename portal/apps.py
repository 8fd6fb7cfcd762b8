from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Client portal"

    def ready(self) -> None:
        from casemgmt.lib.today import register_today_section
        from clients.chart import register_tab

        from .selectors import today_checkins_panel

        register_tab(key="checkins", label="Check-ins", url_name="portal:checkins", order=25)
        register_today_section(
            key="checkins",
            template="portal/_today_checkins.html",
            context=today_checkins_panel,
            order=10,
        )
