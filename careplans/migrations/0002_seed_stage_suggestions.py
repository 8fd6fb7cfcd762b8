"""Seed the stage-wise intervention suggestions (IDDT: stage-wise treatment). Admins edit
them in Django admin afterwards; this only adds rows when there are none."""

from django.db import migrations

# (stage, disorder ("" = both), category, text)
SUGGESTIONS = [
    (
        "precontemplation",
        "",
        "mi",
        "Engagement: build trust through outreach and practical help; use motivational interviewing to explore what matters to the client.",
    ),
    (
        "precontemplation",
        "",
        "case_management",
        "Help with immediate needs (housing, benefits, food) to build the working alliance.",
    ),
    (
        "precontemplation",
        "substance_use",
        "health_promotion",
        "Harm reduction information (safer use, naloxone) without asking for change.",
    ),
    (
        "engagement",
        "",
        "case_management",
        "Outreach and practical help to build a working alliance.",
    ),
    ("engagement", "", "mi", "Motivational interviewing to explore the client's own goals."),
    (
        "contemplation",
        "",
        "mi",
        "Motivational interviewing: weigh pros and cons of change; develop discrepancy.",
    ),
    (
        "contemplation",
        "",
        "family_psychoeducation",
        "Family psychoeducation so supporters understand both conditions.",
    ),
    (
        "contemplation",
        "substance_use",
        "group",
        "Persuasion group on substance use and its effect on mental health.",
    ),
    ("persuasion", "", "mi", "Motivational interviewing and persuasion groups."),
    ("persuasion", "", "family_psychoeducation", "Family psychoeducation."),
    ("preparation", "", "mi", "Motivational interviewing to build a change plan with the client."),
    ("preparation", "substance_use", "mat", "Discuss medication for addiction treatment options."),
    (
        "preparation",
        "mental_health",
        "pharmacological",
        "Review medication and how the client wants to manage symptoms.",
    ),
    ("action", "", "cbt", "Cognitive behavioural skills for cravings, mood and thinking patterns."),
    (
        "action",
        "substance_use",
        "sa_counselling",
        "Substance abuse counselling (active treatment).",
    ),
    ("action", "", "group", "Active-treatment group."),
    ("action", "", "relapse_prevention", "Start a relapse-prevention plan."),
    (
        "action",
        "",
        "self_help",
        "Connect with self-help groups (e.g. Dual Recovery Anonymous, SMART Recovery).",
    ),
    (
        "active_treatment",
        "",
        "sa_counselling",
        "Substance abuse counselling and cognitive behavioural skills.",
    ),
    ("active_treatment", "", "self_help", "Self-help groups."),
    (
        "maintenance",
        "",
        "relapse_prevention",
        "Relapse prevention: review triggers, warning signs and the plan after a slip.",
    ),
    ("maintenance", "", "self_help", "Self-help groups and peer support in the community."),
    (
        "maintenance",
        "",
        "supported_employment",
        "Supported employment or education towards the client's goals.",
    ),
    (
        "maintenance",
        "",
        "health_promotion",
        "Health promotion: exercise, sleep, nutrition, primary care.",
    ),
    ("relapse_prevention", "", "relapse_prevention", "Relapse-prevention planning and practice."),
    ("relapse_prevention", "", "peer_support", "Peer support and self-help groups."),
]


def seed(apps, schema_editor):
    StageSuggestion = apps.get_model("careplans", "StageSuggestion")
    if StageSuggestion.objects.exists():
        return
    StageSuggestion.objects.bulk_create(
        StageSuggestion(stage=s, disorder=d, category=c, text=t, order=i)
        for i, (s, d, c, t) in enumerate(SUGGESTIONS)
    )


class Migration(migrations.Migration):
    dependencies = [("careplans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
