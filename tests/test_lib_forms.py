"""casemgmt.lib.forms.QuickSelect writes the markup Django's Select writes."""

import re

from django import forms

from casemgmt.lib.forms import QuickSelect, StyledForm

CHOICES = [("", "All"), ("a&b", "A & B"), ("c", 'C <"c">')]


class _Form(StyledForm):
    quick = forms.ChoiceField(choices=CHOICES, required=False, widget=QuickSelect)
    plain = forms.ChoiceField(choices=CHOICES, required=False)


def _parts(html: str, name: str) -> tuple[dict, str]:
    """(attributes of the select, its options), names made comparable."""
    html = re.sub(r">\s+<", "><", html.strip()).replace(name, "x")
    tag, options = re.match(r"<select([^>]*)>(.*)</select>", html).groups()
    return dict(re.findall(r'(\S+)="([^"]*)"', tag)), options


def test_same_markup_as_select_with_a_value_and_an_error():
    form = _Form({"quick": "c", "plain": "c"})
    assert form.is_valid()
    assert _parts(str(form["quick"]), "quick") == _parts(str(form["plain"]), "plain")
    bad = _Form({"quick": "nope", "plain": "nope"})
    assert not bad.is_valid()  # invalid: aria-invalid and is-invalid on both
    quick = _parts(str(bad["quick"]), "quick")
    assert quick == _parts(str(bad["plain"]), "plain")
    assert quick[0]["aria-invalid"] == "true" and "&lt;&quot;c&quot;&gt;" in quick[1]


def test_free_text_without_a_limit_of_its_own_gets_one_with_a_clear_message():
    from django import forms

    from casemgmt.lib.forms import StyledForm
    from casemgmt.lib.limits import FREE_TEXT_MAX_LENGTH

    class NoteLike(StyledForm):
        narrative = forms.CharField(widget=forms.Textarea)
        code = forms.CharField(max_length=10)

    form = NoteLike(data={"narrative": "x" * (FREE_TEXT_MAX_LENGTH + 1), "code": "A1"})
    assert not form.is_valid()
    assert form.errors["narrative"] == [
        "Keep this to at most 20,000 characters (it has 20001): save a longer text in parts."
    ]
    assert form.fields["narrative"].widget.attrs["maxlength"] == str(FREE_TEXT_MAX_LENGTH)
    assert form.fields["code"].max_length == 10
    assert NoteLike(data={"narrative": "x" * FREE_TEXT_MAX_LENGTH, "code": "A1"}).is_valid()


def test_the_note_page_refuses_a_2_mb_narrative_next_to_the_field(
    browser_as, case_manager, client_record
):
    from django.urls import reverse

    page = browser_as(case_manager)
    url = reverse("clients:note_create", args=[client_record.pk])
    response = page.post(
        url,
        {
            "contact_at": "2030-01-01T10:00",
            "contact_type": "phone",
            "duration_minutes": 20,
            "data": "x" * 2_000_000,
            "assessment": "a",
            "plan": "p",
        },
    )
    assert response.status_code == 200
    assert "Keep this to at most 20,000 characters" in response.content.decode()
