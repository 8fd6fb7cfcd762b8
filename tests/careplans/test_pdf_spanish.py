"""The client copy of the care plan, the safety plan and the relapse-prevention plan in
Spanish: every word of the copy is Spanish (what the team typed is printed as typed),
the PDF's text (pypdf) is Spanish, 988's Spanish option is on it, the language follows
the client's preferred language or the "Print in" switch, and English is unchanged."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from careplans import services
from careplans.models import Domain, GoalType, InterventionCategory
from careplans.pdf import careplan_pdf_html, careplan_print, safety_plan_print
from careplans.selectors import careplan_get, safety_plan_current
from casemgmt.audit.models import AuditEvent
from clients.models import CareTeamMember, CareTeamRole
from tests import pdf as pdfs
from tests.factories import ClientFactory

from .conftest import approve
from .test_pdf import keep

pytestmark = pytest.mark.django_db

# What the team typed, in the client's own (Spanish) words: printed as typed.
SAFETY_ES = {
    "warning_signs": "No duermo\nDejo de comer",
    "internal_coping": "Caminar con el perro",
    "social_distraction": "Biblioteca de la calle Central",
    "people_to_ask": "Hermana Ana 555-0101",
    "professionals": "Dra. Lee 555-0199",
    "environment_safe": "Ana guarda las pastillas",
    "reasons_for_living": "Mi hija",
}
RELAPSE_ES = {
    "triggers": "Fiestas del viernes",
    "warning_signs": "Pensar que una copa no importa",
    "coping": "Llamar a mi padrino",
    "supports": "Grupo de los martes",
    "after_slip": "Contarle a mi consejera al día siguiente",
}

# The English of the client copy as printed before it was translated (the template
# text of careplans/pdf/client.html, _safety.html, safety.html and base.html): none of
# it may be left on a Spanish copy.
ENGLISH_OF_THE_CLIENT_COPY = [
    "My care plan",
    "Care plan",
    "For ",
    "written",
    "next check-in",
    "not final yet",
    "What matters to me",
    "How I want to be helped",
    "My goals",
    "By ",
    "How we will know it is working",
    "Who does what, and how often",
    "My team",
    "We agree to this plan",
    "Me:",
    "signature and date",
    "My case manager",
    "My safety plan",
    "If I am in danger or thinking about suicide",
    "Warning signs that a crisis may be starting",
    "take my mind off my problems",
    "People and places that help me feel better",
    "People I can ask for help",
    "Professionals and agencies I can contact",
    "Making my surroundings safe",
    "My reasons for living",
    "Suicide & Crisis Lifeline",
    "call or text",
    "Emergency",
    "emergency room",
    "My plan to stay on track",
    "Things that can set me off",
    "Early warning signs",
    "What helps me cope",
    "People who support me",
    "If I slip",
    "plan version",
    "printed",
    "Page ",
    "talking through what I want to change",
    "Therapist",
]

WORD = re.compile(r"[^\W\d_]{3,}")
# Words that are the same in both languages.
COGNATES = {"plan", "crisis"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words_left(spanish: str, english: str, typed: str) -> set[str]:
    """Words printed on both the English and the Spanish copy that the team did not type
    (pseudo-localisation by comparison): template text someone forgot to translate."""
    words = {w.casefold() for w in WORD.findall(spanish)}
    common = words & {w.casefold() for w in WORD.findall(english)}
    return common - {w.casefold() for w in WORD.findall(typed)} - COGNATES


@pytest.fixture
def spanish_client(team, case_manager):
    return ClientFactory(
        team=team,
        primary_case_manager=case_manager,
        is_dual_diagnosis=True,
        first_name="Rosa",
        last_name="Delgado",
        preferred_language="Español",
    )


@pytest.fixture
def spanish_plan(spanish_client, case_manager, supervisor):
    plan = services.careplan_create(actor=case_manager, client=spanish_client)
    goals = []
    for domain, flags, text in (
        (Domain.MENTAL_HEALTH, {"concerns_mental_health": True}, "Dormir toda la noche"),
        (Domain.SUBSTANCE_USE, {"concerns_substance_use": True}, "Beber solo los sábados"),
    ):
        problem = services.problem_add(
            actor=case_manager, plan=plan, domain=domain, description="Necesidad", **flags
        )
        goals.append(
            services.goal_add(
                actor=case_manager,
                problem=problem,
                text=text,
                goal_type=GoalType.SYMPTOM_MANAGEMENT,
                target_date=date(2027, 3, 15),
            )
        )
    member = CareTeamMember.objects.create(
        client=spanish_client, role=CareTeamRole.THERAPIST, user=case_manager, added_by=case_manager
    )
    services.objective_add(actor=case_manager, goal=goals[0], text="Dormir 6 horas 5 noches")
    services.intervention_add(
        actor=case_manager,
        goal=goals[1],
        category=InterventionCategory.MOTIVATIONAL_INTERVIEWING,
        frequency="Cada semana",
        responsible=member,
    )
    services.intervention_add(
        actor=case_manager,
        goal=goals[1],
        category=InterventionCategory.PEER_SUPPORT,
        frequency="Cada mes",
    )
    services.safety_plan_save(actor=case_manager, client=spanish_client, values=SAFETY_ES)
    services.relapse_plan_save(actor=case_manager, client=spanish_client, values=RELAPSE_ES)
    plan = approve(plan, case_manager, supervisor)
    return careplan_get(client=plan.client, plan_id=plan.pk)


def typed_text(plan) -> str:
    """Everything the team typed that the client copy prints as typed."""
    client = plan.client
    people = [client.display_name, client.client_number, plan.author.display_name]
    people += [m.display_name for m in CareTeamMember.objects.filter(client=client)]
    return " ".join(
        [*people, *SAFETY_ES.values(), *RELAPSE_ES.values()]
        + ["Dormir toda la noche", "Beber solo los sábados", "Dormir 6 horas 5 noches"]
        + ["Cada semana", "Cada mes"]
    )


def test_client_copy_html_in_spanish_has_no_english_left(spanish_plan):
    spanish = html_text(careplan_pdf_html(plan=spanish_plan, copy="client", language="es"))
    english = html_text(careplan_pdf_html(plan=spanish_plan, copy="client", language="en"))
    left = [s for s in ENGLISH_OF_THE_CLIENT_COPY if s in spanish]
    assert left == []
    assert english_words_left(spanish, english, typed_text(spanish_plan)) == set()
    for phrase in (
        "Mi plan de atención",
        "Mis metas",
        "Quién hace qué, y con qué frecuencia",
        "hablar sobre lo que quiero cambiar",  # plain words for motivational interviewing
        "apoyo de alguien que ha pasado por lo mismo",
        "Terapeuta",
        "Estamos de acuerdo con este plan",
        "Mi plan de seguridad",
        "Mi plan para mantenerme en el buen camino",
        "Para el 15 de marzo de 2027",  # the date in Spanish
    ):
        assert phrase in spanish, phrase


def test_client_copy_pdf_text_is_spanish(spanish_plan, case_manager):
    pdf = careplan_print(actor=case_manager, plan=spanish_plan, copy="client", language="es")
    keep(pdf, "careplan-client-copy-es")
    text = " ".join(pdfs.text(pdf).split())
    english_pdf = careplan_print(actor=case_manager, plan=spanish_plan, copy="client")
    english = " ".join(pdfs.text(english_pdf).split())
    assert [s for s in ENGLISH_OF_THE_CLIENT_COPY if s in text] == []
    assert english_words_left(text, english, typed_text(spanish_plan)) == set()
    assert "Mi plan de atención" in text and "Página 1 de" in text and "impreso el" in text
    # 988's Spanish option (988lifeline.org): call 988 and press 2, text AYUDA to 988.
    assert "llame al 988 y marque 2" in text and "AYUDA" in text
    assert "Emergencia: llame al 911" in text
    prints = AuditEvent.objects.filter(action="print", object_type="careplans.careplan")
    assert sorted(e.detail["language"] for e in prints) == ["en", "es"]


def test_safety_plan_pdf_alone_is_spanish(spanish_plan, case_manager):
    client = spanish_plan.client
    safety_plan = safety_plan_current(client=client)
    pdf = safety_plan_print(
        actor=case_manager, client=client, safety_plan=safety_plan, language="es"
    )
    keep(pdf, "careplan-safety-plan-es")
    text = " ".join(pdfs.text(pdf).split())
    english = " ".join(
        pdfs.text(
            safety_plan_print(actor=case_manager, client=client, safety_plan=safety_plan)
        ).split()
    )
    assert [s for s in ENGLISH_OF_THE_CLIENT_COPY if s in text] == []
    assert english_words_left(text, english, typed_text(spanish_plan)) == set()
    assert "Mi plan de seguridad" in text and "Ana guarda las pastillas" in text
    assert "llame al 988 y marque 2" in text


def test_spanish_copy_without_safety_plan_says_what_to_do_in_spanish(
    spanish_client, case_manager, supervisor
):
    plan = services.careplan_create(actor=case_manager, client=spanish_client)
    plan = careplan_get(client=spanish_client, plan_id=plan.pk)
    spanish = html_text(careplan_pdf_html(plan=plan, copy="client", language="es"))
    assert "Si estoy en crisis" in spanish
    assert "llame al 988 y marque 2, o envíe AYUDA por mensaje de texto al 988" in spanish
    assert "Este plan es un borrador" in spanish and "Todavía no hay metas escritas" in spanish
    assert [s for s in ENGLISH_OF_THE_CLIENT_COPY if s in spanish] == []


def test_english_copy_is_unchanged(spanish_plan):
    english = html_text(careplan_pdf_html(plan=spanish_plan, copy="client", language="en"))
    for phrase in (
        "My care plan",
        "My goals",
        "Who does what, and how often:",
        "talking through what I want to change",
        "Therapist",
        "We agree to this plan",
        "My safety plan",
        "988 Suicide & Crisis Lifeline: call or text 988 (24/7)",
        "My plan to stay on track",
        "By March 15, 2027",
    ):
        assert phrase in english, phrase
    assert "AYUDA" not in english and "Mi plan" not in english


def test_clinical_copy_stays_english_whatever_the_language(spanish_plan):
    clinical = html_text(careplan_pdf_html(plan=spanish_plan, copy="clinical", language="es"))
    assert "Integrated care plan" in clinical and "Crisis lines" in clinical
    assert "Mi plan" not in clinical and "Página" not in clinical


def test_print_follows_preferred_language_and_the_switch(browser_as, spanish_plan, case_manager):
    client = spanish_plan.client
    url = reverse("careplans:plan_pdf", args=[client.pk, spanish_plan.pk])
    browser = browser_as(case_manager)
    preferred = pdfs.text(browser.get(url, {"copy": "client"}).content)
    assert "Mi plan de atención" in preferred  # the client prefers Spanish
    switched = pdfs.text(browser.get(url, {"copy": "client", "language": "en"}).content)
    assert "My care plan" in switched
    unknown = pdfs.text(browser.get(url, {"copy": "client", "language": "xx"}).content)
    assert "Mi plan de atención" in unknown  # an unknown choice: the preferred language
    safety_url = reverse("careplans:safety_plan_pdf", args=[client.pk])
    assert "Mi plan de seguridad" in pdfs.text(browser.get(safety_url).content)
    english = browser.get(safety_url, {"language": "en"}).content
    assert "My safety plan" in pdfs.text(english)


def test_plan_page_offers_print_in_english_or_spanish(browser_as, spanish_plan, case_manager):
    client = spanish_plan.client
    page = browser_as(case_manager).get(
        reverse("careplans:plan_detail", args=[client.pk, spanish_plan.pk])
    )
    html = page.content.decode()
    assert "Print in:" in html
    assert "copy=client&amp;language=es" in html and "copy=client&amp;language=en" in html
    switch = html[html.index("Print in:") :]
    switch = switch[: switch.index("</span></span>")]
    assert switch.index("Español") < switch.index("(client's language)")
    safety = browser_as(case_manager).get(reverse("careplans:safety_plan", args=[client.pk]))
    assert "version=1&amp;language=es" in safety.content.decode()
    assert "adds 988's Spanish option" in safety.content.decode()


def test_api_pdf_language(api_as, spanish_plan, case_manager):
    api = api_as(case_manager)
    url = f"/api/v1/careplans/{spanish_plan.pk}/pdf/"
    assert "Mi plan de atención" in pdfs.text(api.get(url).content)
    assert "My care plan" in pdfs.text(api.get(url, {"language": "en"}).content)
    bad = api.get(url, {"language": "fr"})
    assert bad.status_code == 400 and "language" in bad.json()


def test_printed_date_is_spanish(spanish_plan):
    spanish = html_text(careplan_pdf_html(plan=spanish_plan, copy="client", language="es"))
    months = (
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    )
    assert re.search(rf"impreso el \d{{1,2}} de ({months.replace(' ', '|')}) de \d{{4}}", spanish)


def test_relapse_plan_prints_alone_in_spanish_and_english(
    browser_as, spanish_plan, case_manager, outsider
):
    client = spanish_plan.client
    url = reverse("careplans:relapse_plan_pdf", args=[client.pk])
    browser = browser_as(case_manager)
    response = browser.get(url)
    assert response["Content-Type"] == "application/pdf"
    keep(response.content, "careplan-relapse-plan-es")
    text = " ".join(pdfs.text(response.content).split())
    english = " ".join(pdfs.text(browser.get(url, {"language": "en"}).content).split())
    assert [s for s in ENGLISH_OF_THE_CLIENT_COPY if s in text] == []
    assert english_words_left(text, english, typed_text(spanish_plan)) == set()
    assert "Mi plan para mantenerme en el buen camino" in text
    assert "Llamar a mi padrino" in text and "Si tengo un tropiezo" in text
    assert "llame al 988 y marque 2" in text  # what to do in a crisis comes first
    assert "My plan to stay on track" in english and "If I slip" in english
    prints = AuditEvent.objects.filter(
        action="print", object_type="careplans.relapsepreventionplan"
    )
    assert sorted(e.detail["language"] for e in prints) == ["en", "es"]
    assert browser.get(url, {"version": 9}).status_code == 404
    page = browser.get(reverse("careplans:relapse_plan", args=[client.pk])).content.decode()
    assert "Print relapse-prevention plan (PDF, Español)" in page
    assert "version=1&amp;language=en" in page
    assert browser_as(outsider).get(url).status_code == 404  # (signs the browser in anew)
