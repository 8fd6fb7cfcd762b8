"""The care plan as a PDF (WeasyPrint): a client copy in plain language and large type,
and a full clinical copy. Every print is audited.

Rendered by the project's one PDF renderer (``casemgmt.lib.pdf.pdf_render``), which
fetches nothing but the project's static files: the stylesheet and the fonts shipped in
static/fonts/. Any other URL (http, data, file:// outside static) is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from casemgmt.lib.pdf import pdf_render
from clients.models import CareTeamMember

from .models import CarePlan, SafetyPlan
from .selectors import relapse_plan_current, safety_plan_current

COPIES = ("client", "clinical")
PAPERS = ("letter", "a4")

# Plain words for the client copy (UX.md: no jargon on what a client sees).
PLAIN = {
    "mi": "talking through what I want to change",
    "sa_counselling": "counselling about alcohol or drug use",
    "group": "a group with others working on the same things",
    "family_psychoeducation": "sessions with my family about my health",
    "self_help": "self-help or mutual-support meetings",
    "pharmacological": "medication and check-ins about it",
    "health_promotion": "help with physical health (sleep, food, exercise)",
    "secondary": "extra treatment if things are not improving",
    "relapse_prevention": "planning how to stay on track",
    "cbt": "skills for thoughts, feelings and cravings (CBT)",
    "dbt": "skills for strong emotions (DBT)",
    "mat": "medication to help with cravings or withdrawal",
    "peer_support": "support from someone with lived experience",
    "case_management": "help with practical things",
    "housing_support": "help finding or keeping a home",
    "supported_employment": "help finding or keeping a job or course",
}


def careplan_pdf_html(*, plan: CarePlan, copy: str, paper: str = "letter") -> str:
    """The HTML the PDF is made from (``plan`` loaded by ``selectors.careplan_full``)."""
    client = plan.client
    goals_by_problem: dict[int, list] = {}
    for goal in plan.goals.all():
        for intervention in goal.interventions.all():
            intervention.plain = PLAIN.get(intervention.category, "")
        goals_by_problem.setdefault(goal.problem_id, []).append(goal)
    with client.team.local_time():
        context = {
            "plan": plan,
            "client": client,
            "copy": copy,
            "paper": paper,
            "goals": list(plan.goals.all()),
            "problems": [(p, goals_by_problem.get(p.pk, [])) for p in plan.problems.all()],
            "signatures": {s.role: s for s in getattr(plan, "active_signatures", [])},
            "safety_plan": safety_plan_current(client=client),
            "relapse_plan": relapse_plan_current(client=client),
            "care_team": list(
                CareTeamMember.objects.filter(client=client, ended_on__isnull=True).select_related(
                    "user"
                )
            ),
            "printed_at": timezone.localtime(),
        }
        return render_to_string(f"careplans/pdf/{copy}.html", context)


def careplan_print(*, actor: User, plan: CarePlan, copy: str, paper: str = "letter") -> bytes:
    """Render a copy of the plan (US Letter or A4) and audit the print."""
    errors = {}
    if copy not in COPIES:
        errors["copy"] = ["Choose the client copy or the clinical copy."]
    if paper not in PAPERS:
        errors["paper"] = ["Choose Letter or A4 paper."]
    if errors:
        raise ValidationError(errors)
    pdf = pdf_render(careplan_pdf_html(plan=plan, copy=copy, paper=paper))
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=plan,
        client_id=plan.client_id,
        detail={"copy": copy, "paper": paper, "version": plan.version},
    )
    return pdf


def safety_plan_print(
    *, actor: User, client, safety_plan: SafetyPlan, paper: str = "letter"
) -> bytes:
    """The safety plan on its own (client copy, large type), e.g. before any care plan."""
    if paper not in PAPERS:
        raise ValidationError({"paper": ["Choose Letter or A4 paper."]})
    with client.team.local_time():
        html = render_to_string(
            "careplans/pdf/safety.html",
            {
                "client": client,
                "plan": None,
                "copy": "client",
                "paper": paper,
                "safety_plan": safety_plan,
                "relapse_plan": None,
                "printed_at": timezone.localtime(),
            },
        )
    pdf = pdf_render(html)
    audit_record(
        user=actor,
        action=AuditAction.PRINT,
        obj=safety_plan,
        client_id=client.pk,
        detail={"copy": "safety_plan", "paper": paper, "version": safety_plan.version},
    )
    return pdf


def pdf_filename(plan: CarePlan, copy: str) -> str:
    return f"care-plan-{plan.client.client_number}-v{plan.version}-{copy}.pdf"
