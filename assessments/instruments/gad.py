"""Generalized Anxiety Disorder scale: GAD-7 and its first two items, the GAD-2.

Sources:
- Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized
  anxiety disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097.
- Kroenke K, Spitzer RL, Williams JBW, Monahan PO, Löwe B. Anxiety disorders in primary
  care: prevalence, impairment, comorbidity, and detection. Ann Intern Med.
  2007;146(5):317-325.
Wording as on the GAD-7 form (Pfizer, PHQ Screeners; no permission required to reproduce).
"""

from .base import Band, InstrumentDefinition, items, rated

OPTIONS = rated("Not at all", "Several days", "More than half the days", "Nearly every day")
STEM = "Over the last two weeks, how often have you been bothered by the following problems?"
ITEM_TEXTS = [
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
]

GAD7 = InstrumentDefinition(
    code="gad7",
    name="GAD-7",
    full_name="Generalized Anxiety Disorder 7-item scale",
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B (2006). A brief measure for "
    "assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 166(10):1092-1097.",
    instructions=STEM,
    items=items(ITEM_TEXTS, OPTIONS),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    cutoff=10,
)
"""GAD-7 (Spitzer et al. 2006, Arch Intern Med 166:1092-1097): seven items 0-3, total
0-21; bands 0-4 / 5-9 / 10-14 / 15-21; positive at >= 10."""

GAD2 = InstrumentDefinition(
    code="gad2",
    name="GAD-2",
    full_name="Generalized Anxiety Disorder 2-item scale",
    source="Kroenke K, Spitzer RL, Williams JBW, Monahan PO, Löwe B (2007). Anxiety "
    "disorders in primary care: prevalence, impairment, comorbidity, and detection. "
    "Ann Intern Med 146(5):317-325.",
    instructions=STEM,
    items=items(ITEM_TEXTS[:2], OPTIONS),
    cutoff=3,
    screen_labels=("positive", "negative"),
)
"""GAD-2 (Kroenke et al. 2007, Ann Intern Med 146:317-325): GAD-7 items 1-2, total 0-6;
positive at >= 3."""
