from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from clients.chart import register_tab

        register_tab(
            key="assessments",
            label="Assessments",
            url_name="assessments:client_assessments",
            order=20,
        )
