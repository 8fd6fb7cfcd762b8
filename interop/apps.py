from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "Interoperability"

    def ready(self) -> None:
        from referrals.extensions import register_transition_panel

        from .selectors import transition_messages_panel

        # The transition page lists the ADT messages behind the transition.
        register_transition_panel(
            key="adt_messages",
            template="interop/_transition_messages.html",
            context=transition_messages_panel,
            order=10,
        )
