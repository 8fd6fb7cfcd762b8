"""``check --deploy``: the audit trail is only as safe as the role the app connects as."""

from django.core.checks import Tags, Warning, register

from casemgmt.lib.dbroles import separated


@register(Tags.security, deploy=True)
def database_roles_check(app_configs, **kwargs):
    if separated():
        return []
    return [
        Warning(
            "The app connects to PostgreSQL as the owner of its tables: it could truncate "
            "the audit trail or disable its trigger.",
            hint="Set DATABASE_URL to a role that owns nothing (casemgmt_app) and "
            "DATABASE_OWNER_URL to the owner, for migrate only (README, Security).",
            id="audit.W001",
        )
    ]
