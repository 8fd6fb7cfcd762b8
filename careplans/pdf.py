"""The care plan as a PDF (WeasyPrint): a client copy in plain language and large type,
and a full clinical copy. Every print is audited.

The client copy and the safety plan are printed in the client's language (their
preferred language when it is supported, or the one chosen with "Print in: English |
Español"; ``casemgmt.lib.i18n``); the clinical copy is for staff and stays English.

Rendered by the project's one PDF renderer (``casemgmt.lib.pdf.pdf_render``), which
fetches nothing but the project's static files: the stylesheet and the fonts shipped in
static/fonts/. Any other URL (http, data, file:// outside static) is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.i18n import ENGLISH, SPANISH, languages, render_in
from casemgmt.lib.pdf import pdf_render
from clients.models import CareTeamMember, CareTeamRole

from .models import CarePlan, RelapsePreventionPlan, SafetyPlan
from .selectors import relapse_plan_current, safety_plan_current

COPIES = ("client", "clinical")
PAPERS = ("letter", "a4")

# Plain words for the client copy (UX.md: no jargon on what a client sees).
PLAIN = {
    "mi": _("talking through what I want to change"),
    "sa_counselling": _("counselling about alcohol or drug use"),
    "group": _("a group with others working on the same things"),
    "family_psychoeducation": _("sessions with my family about my health"),
    "self_help": _("self-help or mutual-support meetings"),
    "pharmacological": _("medication and check-ins about it"),
    "health_promotion": _("help with physical health (sleep, food, exercise)"),
    "secondary": _("extra treatment if things are not improving"),
    "relapse_prevention": _("planning how to stay on track"),
    "cbt": _("skills for thoughts, feelings and cravings (CBT)"),
    "dbt": _("skills for strong emotions (DBT)"),
    "mat": _("medication to help with cravings or withdrawal"),
    "peer_support": _("support from someone with lived experience"),
    "case_management": _("help with practical things"),
    "housing_support": _("help finding or keeping a home"),
    "supported_employment": _("help finding or keeping a job or course"),
}

# The care team's roles as the client copy names them (the same words as
# ``CareTeamRole`` in English).
ROLES: dict[str, Any] = {
    CareTeamRole.PSYCHIATRIST: _("Psychiatrist / prescriber"),
    CareTeamRole.THERAPIST: _("Therapist"),
    CareTeamRole.SUD_COUNSELLOR: _("Substance use counsellor"),
    CareTeamRole.PEER_SPECIALIST: _("Peer specialist"),
    CareTeamRole.NURSE: _("Nurse"),
    CareTeamRole.PRIMARY_CARE: _("Primary care"),
    CareTeamRole.FAMILY_SUPPORT: _("Family or other support"),
    CareTeamRole.OTHER: _("Other"),
}

# The default crisis lines of a new safety plan (``SafetyPlan.DEFAULT_CRISIS_LINES``),
# line by line, as the client copy prints them in the client's language.
DEFAULT_CRISIS_LINES = (
    _("988 Suicide & Crisis Lifeline: call or text 988 (24/7)"),
    _("Emergency: call 911 or go to the nearest emergency room"),
)
# 988's Spanish-language service, as 988lifeline.org describes it ("What to expect":
# calling, "Spanish-language (Press 2)"; texting, "Spanish-language (text AYUDA)").
# Printed on every Spanish copy whose crisis lines name 988.
LIFELINE_SPANISH = (
    "988 en español: llame al 988 y marque 2, o envíe AYUDA en un mensaje de texto al 988"
)


def crisis_lines(safety_plan: SafetyPlan, *, language: str) -> list[str]:
    """The safety plan's crisis lines as printed in ``language``: the default lines in
    that language; lines typed by the team as typed; and, in Spanish, 988's Spanish
    option (call 988 and press 2, text AYUDA to 988) when a line names 988."""
    typed = [line.strip() for line in safety_plan.crisis_lines.splitlines() if line.strip()]
    default = [line.strip() for line in SafetyPlan.DEFAULT_CRISIS_LINES.splitlines()]
    if language == ENGLISH:
        return typed
    lines = [str(line) for line in DEFAULT_CRISIS_LINES] if typed == default else typed
    if language == SPANISH and any("988" in line for line in lines):
        if not any("AYUDA" in line for line in lines):
            lines.insert(1, LIFELINE_SPANISH)
    return lines


def careplan_pdf_html(
    *, plan: CarePlan, copy: str, paper: str = "letter", language: str = ENGLISH
) -> str:
    """The HTML the PDF is made from (``plan`` loaded by ``selectors.careplan_full``).
    The client copy is rendered in ``language``; the clinical copy always in English."""
    client = plan.client
    goals_by_problem: dict[int, list] = {}
    with render_in(language if copy == "client" else ENGLISH) as used, client.team.local_time():
        for goal in plan.goals.all():
            for intervention in goal.interventions.all():
                intervention.plain = str(PLAIN.get(intervention.category, ""))
            goals_by_problem.setdefault(goal.problem_id, []).append(goal)
        care_team = list(
            CareTeamMember.objects.filter(client=client, ended_on__isnull=True).select_related(
                "user"
            )
        )
        for member in care_team:
            role = ROLES.get(member.role) or member.get_role_display()
            member.role_plain = str(role)  # type: ignore[attr-defined]
        safety_plan = safety_plan_current(client=client)
        context = {
            "plan": plan,
            "client": client,
            "copy": copy,
            "paper": paper,
            "goals": list(plan.goals.all()),
            "problems": [(p, goals_by_problem.get(p.pk, [])) for p in plan.problems.all()],
            "signatures": {s.role: s for s in getattr(plan, "active_signatures", [])},
            "safety_plan": safety_plan,
            "crisis_lines": crisis_lines(safety_plan, language=used) if safety_plan else [],
            "relapse_plan": relapse_plan_current(client=client),
            "care_team": care_team,
            "printed_at": timezone.localtime(),
        }
        return render_to_string(f"careplans/pdf/{copy}.html", context)


def careplan_print(
    *,
    actor: User | None,
    plan: CarePlan,
    copy: str,
    paper: str = "letter",
    language: str = ENGLISH,
    via: str = "",
) -> bytes:
    """Render a copy of the plan (US Letter or A4; the client copy in ``language``) and
    audit the print. ``actor`` None and ``via`` "portal": the client downloaded it
    through their own link."""
    errors = {}
    if copy not in COPIES:
        errors["copy"] = ["Choose the client copy or the clinical copy."]
    if paper not in PAPERS:
        errors["paper"] = ["Choose Letter or A4 paper."]
    if language not in languages():
        errors["language"] = ["Choose English or Spanish."]
    if errors:
        raise ValidationError(errors)
    pdf = pdf_render(careplan_pdf_html(plan=plan, copy=copy, paper=paper, language=language))
    detail = {"copy": copy, "paper": paper, "version": plan.version}
    if copy == "client":
        detail["language"] = language
    if via:
        detail["via"] = via
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=plan,
        client_id=plan.client_id,
        detail=detail,
    )
    return pdf


def safety_plan_pdf_html(
    *, client, safety_plan: SafetyPlan, paper: str = "letter", language: str = ENGLISH
) -> str:
    """The HTML of the safety plan on its own, in ``language``."""
    with render_in(language) as used, client.team.local_time():
        return render_to_string(
            "careplans/pdf/safety.html",
            {
                "client": client,
                "plan": None,
                "copy": "client",
                "paper": paper,
                "safety_plan": safety_plan,
                "crisis_lines": crisis_lines(safety_plan, language=used),
                "relapse_plan": None,
                "printed_at": timezone.localtime(),
            },
        )


def safety_plan_print(
    *,
    actor: User | None,
    client,
    safety_plan: SafetyPlan,
    paper: str = "letter",
    language: str = ENGLISH,
    via: str = "",
) -> bytes:
    """The safety plan on its own (client copy, large type, in ``language``), e.g. before
    any care plan."""
    errors = {}
    if paper not in PAPERS:
        errors["paper"] = ["Choose Letter or A4 paper."]
    if language not in languages():
        errors["language"] = ["Choose English or Spanish."]
    if errors:
        raise ValidationError(errors)
    html = safety_plan_pdf_html(
        client=client, safety_plan=safety_plan, paper=paper, language=language
    )
    pdf = pdf_render(html)
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=safety_plan,
        client_id=client.pk,
        detail={
            "copy": "safety_plan",
            "paper": paper,
            "version": safety_plan.version,
            "language": language,
        }
        | ({"via": via} if via else {}),
    )
    return pdf


def relapse_plan_pdf_html(
    *, client, relapse_plan: RelapsePreventionPlan, paper: str = "letter", language: str = ENGLISH
) -> str:
    """The HTML of the relapse-prevention plan on its own (client copy, in ``language``),
    after what to do in a crisis (988, with its Spanish option in Spanish, and 911)."""
    with render_in(language), client.team.local_time():
        return render_to_string(
            "careplans/pdf/relapse.html",
            {
                "client": client,
                "plan": None,
                "copy": "client",
                "paper": paper,
                "safety_plan": None,
                "relapse_plan": relapse_plan,
                "printed_at": timezone.localtime(),
            },
        )


def relapse_plan_print(
    *,
    actor: User,
    client,
    relapse_plan: RelapsePreventionPlan,
    paper: str = "letter",
    language: str = ENGLISH,
) -> bytes:
    """The relapse-prevention plan on its own (client copy, large type, in ``language``);
    the print is audited."""
    errors = {}
    if paper not in PAPERS:
        errors["paper"] = ["Choose Letter or A4 paper."]
    if language not in languages():
        errors["language"] = ["Choose English or Spanish."]
    if errors:
        raise ValidationError(errors)
    pdf = pdf_render(
        relapse_plan_pdf_html(
            client=client, relapse_plan=relapse_plan, paper=paper, language=language
        )
    )
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=relapse_plan,
        client_id=client.pk,
        detail={
            "copy": "relapse_plan",
            "paper": paper,
            "version": relapse_plan.version,
            "language": language,
        },
    )
    return pdf


def pdf_filename(plan: CarePlan, copy: str) -> str:
    return f"care-plan-{plan.client.client_number}-v{plan.version}-{copy}.pdf"
