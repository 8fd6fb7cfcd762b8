"""Drug Abuse Screening Test, 10-item version (DAST-10).

Source: Skinner HA. The Drug Abuse Screening Test. Addict Behav. 1982;7(4):363-371.
Wording, the reverse scoring of item 3 and the degree-of-problems bands (0 / 1-2 / 3-5 /
6-8 / 9-10) per Skinner's DAST-10 scoring guide (Centre for Addiction and Mental Health,
Toronto). "Yes" scores 1 and "No" 0, except item 3, where "No" scores 1.
"""

from .base import YES_NO, Band, InstrumentDefinition, Item, Option

REVERSED = (Option("yes", "Yes", 0), Option("no", "No", 1))
ITEM_TEXTS = [
    "Have you used drugs other than those required for medical reasons?",
    "Do you abuse more than one drug at a time?",
    "Are you always able to stop using drugs when you want to?",
    "Have you had \u201cblackouts\u201d or \u201cflashbacks\u201d as a result of drug use?",
    "Do you ever feel bad or guilty about your drug use?",
    "Does your spouse (or parents) ever complain about your involvement with drugs?",
    "Have you neglected your family because of your use of drugs?",
    "Have you engaged in illegal activities in order to obtain drugs?",
    "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    "Have you had medical problems as a result of your drug use (e.g., memory loss, "
    "hepatitis, convulsions, bleeding, etc.)?",
]

DAST10 = InstrumentDefinition(
    code="dast10",
    name="DAST-10",
    full_name="Drug Abuse Screening Test (10-item)",
    source="Skinner HA (1982). The Drug Abuse Screening Test. Addict Behav 7(4):363-371. "
    "Bands per Skinner's DAST-10 scoring guide (Centre for Addiction and Mental Health).",
    instructions="These questions refer to the past 12 months. \u201cDrug abuse\u201d refers "
    "to (1) the use of prescribed or over-the-counter drugs in excess of the directions, and "
    "(2) any nonmedical use of drugs. The questions do not include alcoholic beverages.",
    items=tuple(
        Item(n, text, REVERSED if n == 3 else YES_NO) for n, text in enumerate(ITEM_TEXTS, start=1)
    ),
    bands=(
        Band(0, 0, "no problems reported"),
        Band(1, 2, "low"),
        Band(3, 5, "moderate"),
        Band(6, 8, "substantial"),
        Band(9, 10, "severe"),
    ),
    cutoff=3,
)
"""DAST-10 (Skinner 1982, Addict Behav 7:363-371): ten yes/no items, item 3 reverse scored;
total 0-10; 0 no problems reported, 1-2 low, 3-5 moderate, 6-8 substantial, 9-10 severe;
positive at >= 3."""
