from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from clients.chart import register_overview_panel, register_tab

        from .selectors import overview_scores_panel

        register_tab(
            key="assessments",
            label="Assessments",
            url_name="assessments:client_assessments",
            order=20,
        )
        register_overview_panel(
            key="scores",
            template="assessments/_overview_scores.html",
            context=overview_scores_panel,
            order=10,
        )
