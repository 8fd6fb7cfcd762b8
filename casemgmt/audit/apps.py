from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casemgmt.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from casemgmt.lib.dbroles import register_append_only

        from . import checks  # noqa: F401  registers the deploy check of the database role
        from .models import AuditEvent

        # The app's database role may add and read audit rows, never change or remove one.
        register_append_only(AuditEvent._meta.db_table)
