from django import forms

from casemgmt.accounts.selectors import staff_list, team_list
from casemgmt.lib.forms import StyledFormMixin

from .models import Client


class ClientForm(StyledFormMixin, forms.ModelForm):
    """Shape and types only; the rules live in ``clients.services``."""

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "status",
            "team",
            "primary_case_manager",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "preferred_name": "What the client wants to be called, if not their legal name.",
            "primary_case_manager": "Must be a member of the chosen team.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list(user=user)
        self.fields["primary_case_manager"].queryset = staff_list(user=user)
        self.fields["primary_case_manager"].label_from_instance = lambda u: u.display_name

    def _post_clean(self):
        # Model validation is the service's job; only build the instance here.
        pass
