from django import forms


class ResolveForm(forms.Form):
    client_number = forms.CharField(
        label="Client number", max_length=20, help_text="The client this message is about."
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="Why dismiss it", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
