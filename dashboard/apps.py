from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Today page, team dashboard, quality measures. Reads every domain app; writes
    nothing (except the audit trail of what it shows and exports)."""

    name = "dashboard"
    label = "dashboard"
