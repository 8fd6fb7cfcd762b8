"""CAGE Adapted to Include Drugs (CAGE-AID).

Source: Brown RL, Rounds LA. Conjoint screening questionnaires for alcohol and other drug
abuse: criterion validity in a primary care practice. Wis Med J. 1995;94(3):135-140.
Brown & Rounds report both one and two "yes" answers as thresholds; the default here is two,
and a program may choose one with ``CAGE_AID.with_cutoff(1)``.
"""

from .base import YES_NO, InstrumentDefinition, items

CAGE_AID = InstrumentDefinition(
    code="cage_aid",
    name="CAGE-AID",
    full_name="CAGE Adapted to Include Drugs",
    source="Brown RL, Rounds LA (1995). Conjoint screening questionnaires for alcohol and "
    "other drug abuse: criterion validity in a primary care practice. Wis Med J "
    "94(3):135-140.",
    instructions="When thinking about drug use, include illegal drug use and the use of "
    "prescription drugs other than prescribed.",
    items=items(
        [
            "Have you ever felt you ought to cut down on your drinking or drug use?",
            "Have people annoyed you by criticizing your drinking or drug use?",
            "Have you ever felt bad or guilty about your drinking or drug use?",
            "Have you ever had a drink or used drugs first thing in the morning to steady your "
            "nerves or to get rid of a hangover (eye-opener)?",
        ],
        YES_NO,
    ),
    cutoff=2,
    cutoff_range=(1, 2),
    screen_labels=("positive", "negative"),
)
"""CAGE-AID (Brown & Rounds 1995, Wis Med J 94:135-140): four yes/no items, total 0-4;
positive at >= 2 by default (configurable: 1 or 2)."""
