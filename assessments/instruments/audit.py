"""Alcohol Use Disorders Identification Test (AUDIT) and its consumption items, AUDIT-C.

Sources:
- Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders
  Identification Test. Guidelines for Use in Primary Care. 2nd ed. Geneva: World Health
  Organization; 2001. WHO/MSD/MSB/01.6a. Wording from the interview version (Box 4); risk
  zones I-IV and the intervention for each from the manual's table "Risk level,
  intervention and AUDIT score" (Zone I 0-7 alcohol education; Zone II 8-15 simple advice;
  Zone III 16-19 simple advice plus brief counselling and continued monitoring; Zone IV
  20-40 referral to specialist for diagnostic evaluation and treatment), and the reading
  of the scores in "Interpretation of AUDIT scores": 8-15 hazardous drinking, 16-19
  harmful use, 20 or more warrants diagnostic evaluation for alcohol dependence. (The
  issue cites the table as Table 3; the copies searched give its title, not its number.)
- Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption
  questions (AUDIT-C): an effective brief screening test for problem drinking. Arch Intern
  Med. 1998;158(16):1789-1795. AUDIT-C is AUDIT questions 1-3 as printed there.
- Bradley KA, DeBenedetti AF, Volk RJ, Williams EC, Frank D, Kivlahan DR. AUDIT-C as a brief
  screen for alcohol misuse in primary care. Alcohol Clin Exp Res. 2007;31(7):1208-1217.
  Cut-offs: >= 4 for men, >= 3 for women.

Spanish: the WHO manual's Spanish edition, "AUDIT. Cuestionario de Identificación de los
Transtornos debidos al Consumo de Alcohol. Pautas para su utilización en Atención
Primaria" (OMS, Departamento de Salud Mental y Dependencia de Sustancias,
WHO/MSD/MSB/01.6a; Spanish edition published with the Generalitat Valenciana, Conselleria
de Benestar Social), interview version (Cuadro 4). Only the AUDIT-C (questions 1-3) carries
it (``SPANISH_AUDIT_C``): the exact Spanish wording of questions 4-10 as the WHO edition
prints it could not be confirmed, so the full AUDIT stays English-only (never translated
by us). As in the English, the routing notes of the interview form ("Pase a las preguntas
9-10") are left out of the answer labels.
"""

from .base import Band, InstrumentDefinition, Item, Option, TranslatedItem, Translation, rated

FREQUENCY = rated(
    "Never",
    "Monthly or less",
    "2 to 4 times a month",
    "2 to 3 times a week",
    "4 or more times a week",
)
QUANTITY = rated("1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more")
OCCASIONS = rated("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily")
HARM = (
    Option(0, "No", 0),
    Option(2, "Yes, but not in the last year", 2),
    Option(4, "Yes, during the last year", 4),
)
STEM = (
    "Now I am going to ask you some questions about your use of alcoholic beverages during "
    "this past year."
)

Q1 = Item(1, "How often do you have a drink containing alcohol?", FREQUENCY)
Q2 = Item(
    2,
    "How many drinks containing alcohol do you have on a typical day when you are drinking?",
    QUANTITY,
)
Q3 = Item(3, "How often do you have six or more drinks on one occasion?", OCCASIONS)

AUDIT = InstrumentDefinition(
    code="audit",
    name="AUDIT",
    full_name="Alcohol Use Disorders Identification Test",
    source="Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG (2001). AUDIT: The Alcohol "
    "Use Disorders Identification Test. Guidelines for Use in Primary Care, 2nd ed. World "
    "Health Organization, WHO/MSD/MSB/01.6a.",
    instructions=STEM,
    items=(
        Q1,
        Q2,
        Q3,
        Item(
            4,
            "How often during the last year have you found that you were not able to stop "
            "drinking once you had started?",
            OCCASIONS,
        ),
        Item(
            5,
            "How often during the last year have you failed to do what was normally expected "
            "from you because of drinking?",
            OCCASIONS,
        ),
        Item(
            6,
            "How often during the last year have you needed a first drink in the morning to "
            "get yourself going after a heavy drinking session?",
            OCCASIONS,
        ),
        Item(
            7,
            "How often during the last year have you had a feeling of guilt or remorse after "
            "drinking?",
            OCCASIONS,
        ),
        Item(
            8,
            "How often during the last year have you been unable to remember what happened "
            "the night before because you had been drinking?",
            OCCASIONS,
        ),
        Item(9, "Have you or someone else been injured as a result of your drinking?", HARM),
        Item(
            10,
            "Has a relative or friend or a doctor or another health worker been concerned "
            "about your drinking or suggested you cut down?",
            HARM,
        ),
    ),
    bands=(
        Band(0, 7, "zone i", meaning="Zone I: low risk; alcohol education"),
        Band(8, 15, "zone ii", meaning="Zone II: hazardous drinking; simple advice"),
        Band(
            16,
            19,
            "zone iii",
            meaning="Zone III: harmful use; simple advice plus brief counselling and "
            "continued monitoring",
        ),
        Band(
            20,
            40,
            "zone iv",
            meaning="Zone IV: possible dependence; referral to a specialist for diagnostic "
            "evaluation and treatment",
        ),
    ),
    cutoff=8,
)
"""AUDIT (Babor et al. 2001, WHO/MSD/MSB/01.6a): items 1-8 score 0-4, items 9-10 score 0, 2
or 4; total 0-40; WHO risk zones I 0-7, II 8-15, III 16-19, IV 20-40; positive at >= 8."""

SPANISH_AUDIT_C = Translation(
    language="es",
    full_name="AUDIT-C",
    source="OMS (2001). AUDIT. Cuestionario de Identificación de los Transtornos debidos al "
    "Consumo de Alcohol. Pautas para su utilización en Atención Primaria. WHO/MSD/MSB/01.6a, "
    "Spanish edition (Generalitat Valenciana, Conselleria de Benestar Social), Cuadro 4, "
    "questions 1-3.",
    instructions="Ahora voy a hacerle algunas preguntas sobre su consumo de bebidas "
    "alcohólicas durante el último año.",
    items=(
        TranslatedItem(
            "¿Con qué frecuencia consume alguna bebida alcohólica?",
            (
                "Nunca",
                "Una o menos veces al mes",
                "De 2 a 4 veces al mes",
                "De 2 a 3 veces a la semana",
                "4 o más veces a la semana",
            ),
        ),
        TranslatedItem(
            "¿Cuántas consumiciones de bebidas alcohólicas suele realizar en un día de "
            "consumo normal?",
            ("1 o 2", "3 o 4", "5 o 6", "7, 8, o 9", "10 o más"),
        ),
        TranslatedItem(
            "¿Con qué frecuencia toma 6 o más bebidas alcohólicas en un solo día?",
            (
                "Nunca",
                "Menos de una vez al mes",
                "Mensualmente",
                "Semanalmente",
                "A diario o casi a diario",
            ),
        ),
    ),
)

AUDIT_C = InstrumentDefinition(
    code="audit_c",
    name="AUDIT-C",
    full_name="Alcohol Use Disorders Identification Test \u2013 Consumption",
    source="Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA (1998). The AUDIT alcohol "
    "consumption questions (AUDIT-C). Arch Intern Med 158(16):1789-1795. Cut-offs: Bradley KA "
    "et al. (2007), Alcohol Clin Exp Res 31(7):1208-1217.",
    instructions=STEM,
    items=(Q1, Q2, Q3),
    cutoff_by_sex={"female": 3, "male": 4},
    screen_labels=("positive", "negative"),
    translations={"es": SPANISH_AUDIT_C},
)
"""AUDIT-C (Bush et al. 1998, Arch Intern Med 158:1789-1795): AUDIT items 1-3, 0-4 each,
total 0-12; positive at >= 4 for men, >= 3 for women (Bradley et al. 2007)."""
