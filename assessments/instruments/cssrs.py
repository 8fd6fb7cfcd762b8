"""Columbia-Suicide Severity Rating Scale, screen version (C-SSRS screener).

Source: Posner K, Brown GK, Stanley B, Brent DA, Yershova KV, Oquendo MA, Currier GW,
Melvin GA, Greenhill L, Shen S, Mann JJ. The Columbia-Suicide Severity Rating Scale:
initial validity and internal consistency findings from three multisite studies with
adolescents and adults. Am J Psychiatry. 2011;168(12):1266-1277.
Items, skip rule and triage as on the Columbia Lighthouse Project screen version: questions
1-5 ask about the past month, question 6 about lifetime with a follow-up "within the past
3 months". Triage: high risk for "yes" to 4 or 5, or to 6 within the past 3 months;
moderate for "yes" to 3, or to 6 longer ago; low for "yes" to 1 or 2 only.

The answers list has seven values: q1-q6, then the q6 follow-up. q3-q5 are asked only when
q2 is "yes"; the follow-up only when q6 is "yes".
"""

from .base import YES_NO, AskedIf, InstrumentDefinition, Item, Scoring, TriageRule

CSSRS_SCREEN = InstrumentDefinition(
    code="cssrs_screen",
    name="C-SSRS screener",
    full_name="Columbia-Suicide Severity Rating Scale, screen version",
    source="Posner K, Brown GK, Stanley B, et al. (2011). The Columbia-Suicide Severity "
    "Rating Scale: initial validity and internal consistency findings from three multisite "
    "studies with adolescents and adults. Am J Psychiatry 168(12):1266-1277. Screen version "
    "and triage: The Columbia Lighthouse Project.",
    instructions="Ask questions 1 and 2 (past month). If YES to 2, ask questions 3, 4, 5, "
    "and 6. If NO to 2, go directly to question 6.",
    items=(
        Item(
            1,
            "Have you wished you were dead or wished you could go to sleep and not wake up?",
            YES_NO,
        ),
        Item(2, "Have you actually had any thoughts of killing yourself?", YES_NO),
        Item(
            3,
            "Have you been thinking about how you might do this?",
            YES_NO,
            asked_if=AskedIf(item=2, answer="yes"),
        ),
        Item(
            4,
            "Have you had these thoughts and had some intention of acting on them?",
            YES_NO,
            asked_if=AskedIf(item=2, answer="yes"),
        ),
        Item(
            5,
            "Have you started to work out or worked out the details of how to kill yourself? "
            "Do you intend to carry out this plan?",
            YES_NO,
            asked_if=AskedIf(item=2, answer="yes"),
        ),
        Item(
            6,
            "Have you ever done anything, started to do anything, or prepared to do anything "
            "to end your life?",
            YES_NO,
        ),
        Item(
            7,
            "Was this within the past 3 months?",
            YES_NO,
            asked_if=AskedIf(item=6, answer="yes"),
        ),
    ),
    scoring=Scoring.TRIAGE,
    triage_rules=(
        TriageRule(
            band="high",
            when=(((4, "yes"),), ((5, "yes"),), ((6, "yes"), (7, "yes"))),
            flags=("suicide_risk",),
        ),
        TriageRule(band="moderate", when=(((3, "yes"),), ((6, "yes"), (7, "no")))),
        TriageRule(band="low", when=(((1, "yes"),), ((2, "yes"),))),
    ),
    triage_default="none",
)
"""C-SSRS screener (Posner et al. 2011, Am J Psychiatry 168:1266-1277; Columbia Lighthouse
Project screen version): no total; risk high / moderate / low / none; high raises
``suicide_risk``; positive for any risk above none."""
