from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "casemgmt.lib.idempotency"
    label = "idempotency"
    verbose_name = "One save per click"
