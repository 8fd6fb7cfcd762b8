from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from clients.chart import register_recipient_directory, register_tab

        from .selectors import directory_organisation_names

        register_recipient_directory(directory_organisation_names)

        register_tab(
            key="referrals",
            label="Referrals",
            url_name="referrals:client_referrals",
            order=40,
        )
