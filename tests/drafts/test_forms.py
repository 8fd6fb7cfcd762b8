"""Every long form keeps drafts: it carries the page marker, and a kept draft of the page
comes back with the message (contact note, assessment section, care-plan parts, safety
and relapse plans, consents)."""

import pytest
from django.urls import reverse
from faker import Faker

from assessments.services import assessment_start
from careplans.services import careplan_create

fake = Faker()


def _pages(client, actor):
    plan = careplan_create(actor=actor, client=client)
    assessment = assessment_start(actor=actor, client=client)
    kw = {"pk": client.pk}
    return {
        "note": reverse("clients:note_create", kwargs=kw),
        "consent": reverse("clients:consent_create", kwargs=kw) + "?kind=treatment",
        "assessment section": reverse(
            "assessments:assessment_section",
            kwargs=kw | {"assessment_id": assessment.pk, "section": "history"},
        ),
        "care plan": reverse("careplans:plan_edit", kwargs=kw | {"plan_id": plan.pk}),
        "care-plan need": reverse("careplans:problem_new", kwargs=kw | {"plan_id": plan.pk}),
        "safety plan": reverse("careplans:safety_plan", kwargs=kw),
        "relapse plan": reverse("careplans:relapse_plan", kwargs=kw),
    }


FORMS = [
    "note",
    "consent",
    "assessment section",
    "care plan",
    "care-plan need",
    "safety plan",
    "relapse plan",
]


@pytest.mark.parametrize("form", FORMS)
def test_the_form_keeps_and_restores_drafts(browser_as, case_manager, client_record, form):
    page = _pages(client_record, case_manager)[form]
    browser = browser_as(case_manager)
    empty = browser.get(page)
    assert empty.status_code == 200
    assert f'name="_draft" value="{page.replace("&", "&amp;")}"' in empty.content.decode()

    text = fake.sentence()
    saved = browser.post(reverse("drafts:autosave"), {"_draft": page, "free_text": text})
    assert saved.json()["kept"] is True

    body = browser.get(page).content.decode()
    assert "We kept what you typed on this form" in body
    assert text in body
