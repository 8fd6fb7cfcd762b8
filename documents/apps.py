from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Uploaded documents of the client record (scans of signed consents, discharge
    summaries, court orders, ID), beside the other domain apps."""

    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from clients.chart import register_tab

        register_tab(
            key="documents", label="Documents", url_name="documents:client_documents", order=85
        )
