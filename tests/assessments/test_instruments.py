"""The instrument library and the scoring engine: pure functions, no database."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from assessments.instruments import (
    AUDIT_C,
    CAGE_AID,
    INSTRUMENTS,
    PCL5,
    Band,
    UnknownInstrument,
    score,
)

NO, YES = "no", "yes"


def reaching(code, total):
    """Answers that add up to ``total``: each item takes the most points it can while
    leaving the later items their minimum (K10 items score at least 1)."""
    items = INSTRUMENTS[code].items
    answers, left = [], total
    for n, item in enumerate(items):
        floor = sum(min(o.points for o in later.options) for later in items[n + 1 :])
        option = max((o for o in item.options if o.points <= left - floor), key=lambda o: o.points)
        answers.append(option.value)
        left -= option.points
    assert left == 0, f"{code} cannot reach {total} this way"
    return answers


def errors_of(code, answers, sex=None):
    with pytest.raises(ValidationError) as caught:
        score(code, answers, sex=sex)
    return caught.value.message_dict


# --------------------------------------------------------------------------- the library


def test_the_library_holds_exactly_the_eleven_instruments():
    counts = {code: d.item_count for code, d in INSTRUMENTS.items()}
    assert counts == {
        "phq9": 9,
        "phq2": 2,
        "gad7": 7,
        "gad2": 2,
        "audit": 10,
        "audit_c": 3,
        "dast10": 10,
        "cage_aid": 4,
        "cssrs_screen": 7,
        "pcl5": 20,
        "k10": 10,
    }


@pytest.mark.parametrize("definition", INSTRUMENTS.values(), ids=INSTRUMENTS.keys())
def test_every_definition_cites_its_source_and_prints_its_items(definition):
    assert any(str(year) in definition.source for year in range(1980, 2020))
    assert definition.name and definition.full_name and definition.instructions
    assert all(item.text and item.options for item in definition.items)


def test_score_accepts_a_definition_as_well_as_a_code():
    assert score(INSTRUMENTS["phq2"], [3, 3]) == score("phq2", [3, 3])


def test_an_unknown_code_is_refused():
    with pytest.raises(UnknownInstrument):
        score("phq10", [0] * 10)


def test_a_definition_whose_bands_leave_a_gap_is_refused():
    phq2 = INSTRUMENTS["phq2"]
    with pytest.raises(ValueError, match="bands"):
        dataclasses.replace(phq2, screen_labels=None, bands=(Band(0, 2, "a"), Band(4, 6, "b")))


# ------------------------------------------------------------------------ band boundaries

BOUNDARIES = [
    # code, total, band, positive
    ("phq9", 0, "minimal", False),
    ("phq9", 4, "minimal", False),
    ("phq9", 5, "mild", False),
    ("phq9", 9, "mild", False),
    ("phq9", 10, "moderate", True),
    ("phq9", 14, "moderate", True),
    ("phq9", 15, "moderately severe", True),
    ("phq9", 19, "moderately severe", True),
    ("phq9", 20, "severe", True),
    ("phq9", 27, "severe", True),
    ("phq2", 0, "negative", False),
    ("phq2", 2, "negative", False),
    ("phq2", 3, "positive", True),
    ("phq2", 6, "positive", True),
    ("gad7", 0, "minimal", False),
    ("gad7", 4, "minimal", False),
    ("gad7", 5, "mild", False),
    ("gad7", 9, "mild", False),
    ("gad7", 10, "moderate", True),
    ("gad7", 14, "moderate", True),
    ("gad7", 15, "severe", True),
    ("gad7", 21, "severe", True),
    ("gad2", 0, "negative", False),
    ("gad2", 2, "negative", False),
    ("gad2", 3, "positive", True),
    ("gad2", 6, "positive", True),
    ("audit", 0, "zone i", False),
    ("audit", 7, "zone i", False),
    ("audit", 8, "zone ii", True),
    ("audit", 15, "zone ii", True),
    ("audit", 16, "zone iii", True),
    ("audit", 19, "zone iii", True),
    ("audit", 20, "zone iv", True),
    ("audit", 40, "zone iv", True),
    ("dast10", 0, "no problems reported", False),
    ("dast10", 1, "low", False),
    ("dast10", 2, "low", False),
    ("dast10", 3, "moderate", True),
    ("dast10", 5, "moderate", True),
    ("dast10", 6, "substantial", True),
    ("dast10", 8, "substantial", True),
    ("dast10", 9, "severe", True),
    ("dast10", 10, "severe", True),
    ("cage_aid", 0, "negative", False),
    ("cage_aid", 1, "negative", False),
    ("cage_aid", 2, "positive", True),
    ("cage_aid", 4, "positive", True),
    ("pcl5", 0, "below cut-off", False),
    ("pcl5", 30, "below cut-off", False),
    ("pcl5", 31, "provisional ptsd", True),
    ("pcl5", 80, "provisional ptsd", True),
    ("k10", 10, "low", None),
    ("k10", 15, "low", None),
    ("k10", 16, "moderate", None),
    ("k10", 21, "moderate", None),
    ("k10", 22, "high", None),
    ("k10", 29, "high", None),
    ("k10", 30, "very high", None),
    ("k10", 50, "very high", None),
]


@pytest.mark.parametrize(
    ("code", "total", "band", "positive"), BOUNDARIES, ids=[f"{c}-{t}" for c, t, *_ in BOUNDARIES]
)
def test_band_and_screen_at_every_boundary(code, total, band, positive):
    result = score(code, reaching(code, total))
    assert (result.code, result.total, result.band, result.positive) == (
        code,
        total,
        band,
        positive,
    )


# ------------------------------------------------------------------------ critical items


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item_9_raises_suicide_risk_whatever_the_total(item9):
    result = score("phq9", [0] * 8 + [item9])
    assert result.total == item9 and result.band == "minimal" and result.positive is False
    assert result.flags == ("suicide_risk",)


def test_phq9_without_item_9_raises_no_flag_even_when_severe():
    result = score("phq9", [3] * 8 + [0])
    assert result.band == "severe" and result.flags == ()


def test_instruments_without_critical_items_raise_no_flag():
    assert score("gad7", [3] * 7).flags == ()
    assert score("pcl5", [4] * 20).flags == ()


CSSRS_PATHS = [
    # q1, q2, q3, q4, q5, q6, q6 within 3 months -> band
    ("nothing", [NO, NO, None, None, None, NO, None], "none"),
    ("wish to be dead only", [YES, NO, None, None, None, NO, None], "low"),
    ("thoughts, no method", [NO, YES, NO, NO, NO, NO, None], "low"),
    ("both, no method", [YES, YES, NO, NO, NO, NO, None], "low"),
    ("method", [YES, YES, YES, NO, NO, NO, None], "moderate"),
    ("behaviour longer ago", [NO, NO, None, None, None, YES, NO], "moderate"),
    ("ideation and old behaviour", [YES, YES, NO, NO, NO, YES, NO], "moderate"),
    ("intent", [YES, YES, NO, YES, NO, NO, None], "high"),
    ("plan", [YES, YES, NO, NO, YES, NO, None], "high"),
    ("recent behaviour", [NO, NO, None, None, None, YES, YES], "high"),
    ("method and recent behaviour", [YES, YES, YES, NO, NO, YES, YES], "high"),
    ("everything", [YES, YES, YES, YES, YES, YES, YES], "high"),
]


@pytest.mark.parametrize(
    ("answers", "band"), [p[1:] for p in CSSRS_PATHS], ids=[p[0] for p in CSSRS_PATHS]
)
def test_cssrs_screen_triage(answers, band):
    result = score("cssrs_screen", answers)
    assert result.total is None and result.band == band
    assert result.positive is (band != "none")
    assert result.flags == (("suicide_risk",) if band == "high" else ())


# ------------------------------------------------------------------ instrument specifics


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([NO] * 10, 1, "low"),  # "no" to item 3 (able to stop?) scores 1
        ([NO, NO, YES] + [NO] * 7, 0, "no problems reported"),
        ([YES] * 10, 9, "severe"),
        ([YES, YES, NO] + [YES] * 7, 10, "severe"),
    ],
)
def test_dast10_item_3_is_reverse_scored(answers, total, band):
    result = score("dast10", answers)
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize("item", [9, 10])
@pytest.mark.parametrize("value", [0, 2, 4])
def test_audit_items_9_and_10_take_0_2_or_4(item, value):
    answers = [0] * 10
    answers[item - 1] = value
    assert score("audit", answers).total == value


@pytest.mark.parametrize("item", [9, 10])
@pytest.mark.parametrize("value", [1, 3, 5])
def test_audit_items_9_and_10_refuse_other_values(item, value):
    answers = [0] * 10
    answers[item - 1] = value
    assert errors_of("audit", answers) == {
        "answers": [f"item {item}: {value} is not one of the offered values (0, 2, 4)"]
    }


def test_audit_items_1_to_8_score_0_to_4():
    assert score("audit", [4] * 8 + [0, 0]).total == 32
    assert errors_of("audit", [5] + [0] * 9) == {
        "answers": ["item 1: 5 is not one of the offered values (0, 1, 2, 3, 4)"]
    }


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("female", 2, False),
        ("female", 3, True),
        ("female", 4, True),
        ("male", 2, False),
        ("male", 3, False),
        ("male", 4, True),
    ],
)
def test_audit_c_cut_off_depends_on_sex(sex, total, positive):
    result = score("audit_c", reaching("audit_c", total), sex=sex)
    assert result.total == total and result.positive is positive
    assert result.band == ("positive" if positive else "negative")


@pytest.mark.parametrize("sex", [None, ""])
def test_audit_c_without_sex_names_the_field(sex):
    assert errors_of("audit_c", [1, 1, 1], sex=sex) == {
        "sex": ['AUDIT-C needs the client\'s sex ("female", "male").']
    }


def test_audit_c_with_an_unknown_sex_names_the_field():
    assert errors_of("audit_c", [1, 1, 1], sex="other") == {
        "sex": ['"other" is not one of the offered values ("female", "male")']
    }


def test_sex_is_ignored_where_the_instrument_does_not_use_it():
    assert score("audit", [0] * 10, sex="male") == score("audit", [0] * 10)


def test_pcl5_cluster_subtotals():
    answers = [1] * 5 + [2] * 2 + [3] * 7 + [4] * 6
    result = score("pcl5", answers)
    assert result.total == 5 + 4 + 21 + 24
    assert result.subtotals == {"B": 5, "C": 4, "D": 21, "E": 24}


def test_pcl5_subtotals_follow_the_dsm5_clusters():
    answers = [0] * 20
    for item, value in ((5, 4), (6, 3), (7, 1), (8, 2), (14, 4), (15, 1), (20, 2)):
        answers[item - 1] = value
    assert score("pcl5", answers).subtotals == {"B": 4, "C": 4, "D": 6, "E": 3}


def test_only_pcl5_has_subtotals():
    assert score("phq9", [0] * 9).subtotals == {}


@pytest.mark.parametrize(
    ("cutoff", "total", "band"),
    [
        (31, 30, "below cut-off"),
        (31, 31, "provisional ptsd"),
        (33, 32, "below cut-off"),
        (33, 33, "provisional ptsd"),
    ],
)
def test_pcl5_cut_off_is_configurable(cutoff, total, band):
    result = score(PCL5.with_cutoff(cutoff), reaching("pcl5", total))
    assert result.band == band and result.positive is (band == "provisional ptsd")


@pytest.mark.parametrize("cutoff", [30, 34])
def test_pcl5_cut_off_stays_within_31_to_33(cutoff):
    with pytest.raises(ValueError, match="between 31 and 33"):
        PCL5.with_cutoff(cutoff)


def test_cage_aid_cut_off_is_configurable():
    one_yes = [YES, NO, NO, NO]
    assert score("cage_aid", one_yes).band == "negative"
    assert score(CAGE_AID.with_cutoff(1), one_yes).band == "positive"
    assert score(CAGE_AID.with_cutoff(1), [NO] * 4).band == "negative"
    with pytest.raises(ValueError):
        CAGE_AID.with_cutoff(3)


def test_a_fixed_cut_off_cannot_be_changed():
    with pytest.raises(ValueError, match="no configurable cut-off"):
        AUDIT_C.with_cutoff(5)


@pytest.mark.parametrize("value", [1, 5])
def test_k10_answers_run_1_to_5(value):
    result = score("k10", [value] * 10)
    assert result.total == value * 10 and result.positive is None


@pytest.mark.parametrize("value", [0, 6])
def test_k10_refuses_answers_outside_1_to_5(value):
    assert errors_of("k10", [3] * 9 + [value]) == {
        "answers": [f"item 10: {value} is not one of the offered values (1, 2, 3, 4, 5)"]
    }


# ---------------------------------------------------------------------------- bad input

BAD_ANSWERS = [
    ("too few", "phq9", [0] * 8, ["PHQ-9 has 9 items; got 8 answers."]),
    ("too many", "gad2", [0, 0, 0], ["GAD-2 has 2 items; got 3 answers."]),
    ("not a list", "phq2", "03", ["Expected a list with one answer per item."]),
    (
        "value not offered",
        "phq9",
        [0] * 8 + [5],
        ["item 9: 5 is not one of the offered values (0, 1, 2, 3)"],
    ),
    (
        "true is not 1",
        "phq2",
        [True, 0],
        ["item 1: true is not one of the offered values (0, 1, 2, 3)"],
    ),
    (
        "1.0 is not 1",
        "phq2",
        [0, 1.0],
        ["item 2: 1.0 is not one of the offered values (0, 1, 2, 3)"],
    ),
    (
        "a number as text",
        "gad2",
        ["2", 0],
        ['item 1: "2" is not one of the offered values (0, 1, 2, 3)'],
    ),
    (
        "a number for a yes/no item",
        "dast10",
        [NO] * 3 + [1] + [NO] * 6,
        ['item 4: 1 is not one of the offered values ("yes", "no")'],
    ),
    (
        "Yes in capitals",
        "cage_aid",
        ["Yes", NO, NO, NO],
        ['item 1: "Yes" is not one of the offered values ("yes", "no")'],
    ),
    ("missing answer", "phq9", [0] * 4 + [None] + [0] * 4, ["item 5: an answer is required"]),
    (
        "several at once",
        "gad7",
        [0, None, 9, 0, 0, 0, 0],
        [
            "item 2: an answer is required",
            "item 3: 9 is not one of the offered values (0, 1, 2, 3)",
        ],
    ),
    (
        "cssrs q3 answered although q2 is no",
        "cssrs_screen",
        [NO, NO, YES, None, None, NO, None],
        ['item 3: not asked unless item 2 is "yes"; leave it null'],
    ),
    (
        "cssrs follow-up answered although q6 is no",
        "cssrs_screen",
        [NO, NO, None, None, None, NO, NO],
        ['item 7: not asked unless item 6 is "yes"; leave it null'],
    ),
    (
        "cssrs q4 missing although q2 is yes",
        "cssrs_screen",
        [NO, YES, NO, None, NO, NO, None],
        ["item 4: an answer is required"],
    ),
    (
        "cssrs follow-up missing although q6 is yes",
        "cssrs_screen",
        [NO, NO, None, None, None, YES, None],
        ["item 7: an answer is required"],
    ),
    (
        "cssrs q6 is never skipped",
        "cssrs_screen",
        [NO, NO, None, None, None, None, None],
        ["item 6: an answer is required"],
    ),
    (
        "cssrs items after a wrong q2 are not judged",
        "cssrs_screen",
        [NO, "maybe", YES, None, None, NO, None],
        ['item 2: "maybe" is not one of the offered values ("yes", "no")'],
    ),
]


@pytest.mark.parametrize(
    ("code", "answers", "messages"), [b[1:] for b in BAD_ANSWERS], ids=[b[0] for b in BAD_ANSWERS]
)
def test_bad_answers_are_refused_naming_the_item(code, answers, messages):
    assert errors_of(code, answers) == {"answers": messages}


def test_bad_answers_and_missing_sex_are_reported_together():
    assert set(errors_of("audit_c", [9, 0, 0])) == {"answers", "sex"}
