from django import forms


class ResolveForm(forms.Form):
    client_number = forms.CharField(
        label="Client number", max_length=20, help_text="The client this message is about."
    )


class NewClientForm(forms.Form):
    team: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Team",
        queryset=None,
        empty_label=None,
        help_text="The new client starts as referred, in this team, without a case manager.",
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teams


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why dismiss it", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
