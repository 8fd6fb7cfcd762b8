from django.apps import AppConfig


class DraftsConfig(AppConfig):
    name = "casemgmt.drafts"
    label = "drafts"
    verbose_name = "Form drafts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from casemgmt.drafts.services import drafts_claim_on_login

        user_logged_in.connect(drafts_claim_on_login, dispatch_uid="drafts_claim_on_login")
