from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_role_groups(sender, **kwargs) -> None:
    """Create the role groups after every migrate (and test-database flush), like
    Django does for permissions, so a role can never be missing."""
    from django.contrib.auth.models import Group

    from .models import Role

    for role in Role:
        Group.objects.get_or_create(name=role.value)


class AccountsConfig(AppConfig):
    name = "casemgmt.accounts"
    label = "accounts"
    verbose_name = "Users and teams"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_time_zone

        post_migrate.connect(ensure_role_groups, sender=self)
        user_logged_in.connect(remember_time_zone, dispatch_uid="team_time_zone")
