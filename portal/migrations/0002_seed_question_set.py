"""The default check-in question set (cravings, use, medication, safety): the team's own
questions, not a published instrument, editable in Django admin. Written in English and
Spanish by the team (``text_es`` / ``label_es``)."""

from django.db import migrations

QUESTIONS = [
    {
        "text": "In the past week, how strong were your cravings for alcohol or drugs?",
        "text_es": "En la última semana, ¿qué tan fuertes fueron sus ganas de consumir "
        "alcohol o drogas?",
        "options": [
            {"value": "none", "label": "None", "label_es": "Ninguna"},
            {"value": "mild", "label": "Mild", "label_es": "Leves"},
            {"value": "moderate", "label": "Moderate", "label_es": "Moderadas"},
            {"value": "strong", "label": "Strong", "label_es": "Fuertes"},
        ],
    },
    {
        "text": "In the past week, did you use alcohol or drugs?",
        "text_es": "En la última semana, ¿consumió alcohol o drogas?",
        "options": [
            {"value": "no", "label": "No", "label_es": "No"},
            {"value": "once", "label": "Yes, once or twice", "label_es": "Sí, una o dos veces"},
            {"value": "several", "label": "Yes, several times", "label_es": "Sí, varias veces"},
            {
                "value": "most_days",
                "label": "Yes, most days",
                "label_es": "Sí, casi todos los días",
            },
        ],
    },
    {
        "text": "In the past week, did you take your medicines the way they were prescribed?",
        "text_es": "En la última semana, ¿tomó sus medicamentos como se los recetaron?",
        "options": [
            {"value": "every_day", "label": "Every day", "label_es": "Todos los días"},
            {"value": "most_days", "label": "Most days", "label_es": "La mayoría de los días"},
            {"value": "some_days", "label": "Some days", "label_es": "Algunos días"},
            {"value": "not_at_all", "label": "Not at all", "label_es": "Ningún día"},
            {
                "value": "none_prescribed",
                "label": "I have no prescribed medicines",
                "label_es": "No tengo medicamentos recetados",
            },
        ],
    },
    {
        "text": "Since your last check-in, have you had an overdose or come close to one?",
        "text_es": "Desde la última vez que respondió, ¿tuvo una sobredosis o estuvo a punto "
        "de tenerla?",
        "options": [
            {"value": "no", "label": "No", "label_es": "No"},
            {"value": "yes", "label": "Yes", "label_es": "Sí", "risk": "overdose_risk"},
        ],
    },
]


def seed(apps, schema_editor):
    QuestionSet = apps.get_model("portal", "QuestionSet")
    QuestionSet.objects.get_or_create(
        code="cravings-use-medication",
        defaults={"name": "Cravings, use and medication", "questions": QUESTIONS},
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
