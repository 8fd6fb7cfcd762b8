from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from casemgmt.audit.extensions import register_client_directory

        from .audit_directory import (
            client_ids_matching,
            client_merged_from,
            client_refs,
            tab_label,
        )

        # The audit trail finds and names clients through these (it stores only ids).
        register_client_directory(
            search=client_ids_matching,
            refs=client_refs,
            tab_label=tab_label,
            merged_from=client_merged_from,
        )
