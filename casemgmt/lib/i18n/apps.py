from django.apps import AppConfig


class I18nConfig(AppConfig):
    name = "casemgmt.lib.i18n"
    label = "i18n"
    verbose_name = "Client languages"
