"""Kessler Psychological Distress Scale (K10).

Sources:
- Kessler RC, Andrews G, Colpe LJ, Hiripi E, Mroczek DK, Normand SLT, Walters EE,
  Zaslavsky AM. Short screening scales to monitor population prevalences and trends in
  non-specific psychological distress. Psychol Med. 2002;32(6):959-976.
- Andrews G, Slade T. Interpreting scores on the Kessler Psychological Distress Scale (K10).
  Aust N Z J Public Health. 2001;25(6):494-497. The 1-5 scoring (total 10-50), the item
  order and wording of the self-report form used with it, and the bands: 10-15 low, 16-21
  moderate, 22-29 high, 30-50 very high.
The K10 is a measure of distress, not a screen: it has no cut-off, so ``positive`` is None.
"""

from .base import Band, InstrumentDefinition, items, rated

K10 = InstrumentDefinition(
    code="k10",
    name="K10",
    full_name="Kessler Psychological Distress Scale",
    source="Kessler RC, Andrews G, Colpe LJ, et al. (2002). Short screening scales to monitor "
    "population prevalences and trends in non-specific psychological distress. Psychol Med "
    "32(6):959-976. Bands: Andrews G, Slade T (2001), Aust N Z J Public Health 25(6):494-497.",
    instructions="These questions concern how you have been feeling over the past 4 weeks.",
    items=items(
        [
            "In the past 4 weeks, about how often did you feel tired out for no good reason?",
            "In the past 4 weeks, about how often did you feel nervous?",
            "In the past 4 weeks, about how often did you feel so nervous that nothing could "
            "calm you down?",
            "In the past 4 weeks, about how often did you feel hopeless?",
            "In the past 4 weeks, about how often did you feel restless or fidgety?",
            "In the past 4 weeks, about how often did you feel so restless you could not sit "
            "still?",
            "In the past 4 weeks, about how often did you feel depressed?",
            "In the past 4 weeks, about how often did you feel that everything was an effort?",
            "In the past 4 weeks, about how often did you feel so sad that nothing could cheer "
            "you up?",
            "In the past 4 weeks, about how often did you feel worthless?",
        ],
        rated(
            "None of the time",
            "A little of the time",
            "Some of the time",
            "Most of the time",
            "All of the time",
            start=1,
        ),
    ),
    bands=(
        Band(10, 15, "low"),
        Band(16, 21, "moderate"),
        Band(22, 29, "high"),
        Band(30, 50, "very high"),
    ),
)
"""K10 (Kessler et al. 2002, Psychol Med 32:959-976): ten items 1-5, total 10-50; bands per
Andrews & Slade 2001: 10-15 low, 16-21 moderate, 22-29 high, 30-50 very high; no cut-off."""
