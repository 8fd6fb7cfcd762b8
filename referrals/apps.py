from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from casemgmt.audit.extensions import register_disclosures
        from clients.chart import register_recipient_directory, register_tab

        from .selectors import directory_organisation_names, disclosure_entries

        register_recipient_directory(directory_organisation_names)
        # The auditor's accounting of disclosures (the audit app cannot import referrals).
        register_disclosures(key="referrals", source=disclosure_entries)

        register_tab(
            key="referrals",
            label="Referrals",
            url_name="referrals:client_referrals",
            order=40,
        )
