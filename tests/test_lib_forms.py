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
