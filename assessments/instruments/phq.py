"""Patient Health Questionnaire: PHQ-9 and its first two items, the PHQ-2.

Sources:
- Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
  measure. J Gen Intern Med. 2001;16(9):606-613.
- Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a
  two-item depression screener. Med Care. 2003;41(11):1284-1292.
Wording as on the PHQ-9 form (Pfizer, PHQ Screeners; no permission required to reproduce).
The form's last, unscored question (how difficult the problems made things) is not an item
here: it does not enter the total.

Spanish: the published Spanish (USA) PHQ-9 form of the same PHQ Screeners ("Cuestionario
sobre la salud del paciente-9 (PHQ-9)", Pfizer; "Elaborado por los doctores Robert L.
Spitzer, Janet B.W. Williams, Kurt Kroenke y colegas, mediante una subvención educativa
otorgada por Pfizer Inc. No se requiere permiso para reproducir, traducir, presentar o
distribuir."), wording copied exactly (``SPANISH``); the PHQ-2 is its first two items.
The form's "(Marque con un ✓ para indicar su respuesta)" is a paper instruction and is
left out, as the English "(Use ✔ to indicate your answer)" is.
"""

from .base import (
    Band,
    CriticalItem,
    InstrumentDefinition,
    TranslatedItem,
    Translation,
    items,
    rated,
)

OPTIONS = rated("Not at all", "Several days", "More than half the days", "Nearly every day")
STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
ITEM_TEXTS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite "
    "\u2014 being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]

# The Spanish (USA) PHQ-9 form, as published (see the module docstring).
SPANISH_SOURCE = (
    "Cuestionario sobre la salud del paciente-9 (PHQ-9), Spanish for the USA: the PHQ "
    "Screeners' Spanish translation of the PHQ-9 form (Spitzer RL, Williams JBW, Kroenke K "
    "and colleagues; educational grant from Pfizer Inc.; no permission required to "
    "reproduce, translate, display or distribute)."
)
SPANISH_OPTIONS = (
    "Ningún día",
    "Varios días",
    "Más de la mitad de los días",
    "Casi todos los días",
)
SPANISH_STEM = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)
SPANISH_ITEM_TEXTS = [
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) \u2013 o que es un fracaso o que ha quedado mal "
    "con usted mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el "
    "periódico o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo "
    "contrario \u2013 muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo "
    "normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
]


def _spanish(count: int) -> Translation:
    return Translation(
        language="es",
        # The PHQ-2 has no Spanish form of its own: its name is not translated.
        full_name="Cuestionario sobre la salud del paciente-9" if count == 9 else "PHQ-2",
        source=SPANISH_SOURCE,
        instructions=SPANISH_STEM,
        items=tuple(TranslatedItem(t, SPANISH_OPTIONS) for t in SPANISH_ITEM_TEXTS[:count]),
    )


PHQ9 = InstrumentDefinition(
    code="phq9",
    name="PHQ-9",
    full_name="Patient Health Questionnaire-9",
    source="Kroenke K, Spitzer RL, Williams JBW (2001). The PHQ-9: validity of a brief "
    "depression severity measure. J Gen Intern Med 16(9):606-613.",
    instructions=STEM,
    items=items(ITEM_TEXTS, OPTIONS),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 19, "moderately severe"),
        Band(20, 27, "severe"),
    ),
    cutoff=10,
    critical_items=(CriticalItem(item=9, min_points=1, flag="suicide_risk"),),
    translations={"es": _spanish(9)},
)
"""PHQ-9 (Kroenke, Spitzer & Williams 2001, J Gen Intern Med 16:606-613): nine items 0-3,
total 0-27; bands 0-4 / 5-9 / 10-14 / 15-19 / 20-27; positive at >= 10; item 9 >= 1
raises ``suicide_risk`` whatever the total."""

PHQ2 = InstrumentDefinition(
    code="phq2",
    name="PHQ-2",
    full_name="Patient Health Questionnaire-2",
    source="Kroenke K, Spitzer RL, Williams JBW (2003). The Patient Health Questionnaire-2: "
    "validity of a two-item depression screener. Med Care 41(11):1284-1292.",
    instructions=STEM,
    items=items(ITEM_TEXTS[:2], OPTIONS),
    cutoff=3,
    screen_labels=("positive", "negative"),
    translations={"es": _spanish(2)},
)
"""PHQ-2 (Kroenke, Spitzer & Williams 2003, Med Care 41:1284-1292): PHQ-9 items 1-2,
total 0-6; positive at >= 3."""
