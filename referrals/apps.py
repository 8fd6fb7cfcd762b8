from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from clients.chart import register_tab

        register_tab(
            key="referrals",
            label="Referrals",
            url_name="referrals:client_referrals",
            order=40,
        )
