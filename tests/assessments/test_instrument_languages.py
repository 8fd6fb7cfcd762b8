"""Instruments in Spanish: only published translations (cited), the same values and
points in every language, so scores, bands and flags never depend on the language; an
instrument without one stays English and the client page says so in Spanish."""

from __future__ import annotations

import dataclasses
import random

import pytest
from django.utils import translation

from assessments.instruments import (
    AUDIT,
    AUDIT_C,
    GAD2,
    GAD7,
    INSTRUMENTS,
    PHQ2,
    PHQ9,
    TranslatedItem,
    Translation,
    score,
)
from assessments.selectors import ENGLISH_ONLY_NOTE, instrument_in_language

# The published Spanish (USA) PHQ-9 form (PHQ Screeners, Pfizer), as printed.
PHQ9_ES_ITEM_1 = "Poco interés o placer en hacer cosas"
PHQ9_ES_ITEM_9 = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"
PHQ9_ES_OPTIONS = [
    "Ningún día",
    "Varios días",
    "Más de la mitad de los días",
    "Casi todos los días",
]
PHQ9_ES_STEM = (
    "Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
    "siguientes problemas?"
)


def test_phq9_in_spanish_is_the_published_form():
    spanish = PHQ9.in_language("es")
    assert spanish is not None and spanish.language == "es"
    assert spanish.full_name == "Cuestionario sobre la salud del paciente-9"
    assert spanish.instructions == PHQ9_ES_STEM
    assert spanish.items[0].text == PHQ9_ES_ITEM_1
    assert spanish.items[8].text == PHQ9_ES_ITEM_9
    assert all([o.label for o in item.options] == PHQ9_ES_OPTIONS for item in spanish.items)
    assert "Pfizer" in PHQ9.translations["es"].source
    assert "Spanish for the USA" in PHQ9.translations["es"].source


def test_phq2_in_spanish_is_the_first_two_items_of_the_form():
    spanish = PHQ2.in_language("es")
    phq9 = PHQ9.in_language("es")
    assert spanish is not None and phq9 is not None
    assert [i.text for i in spanish.items] == [i.text for i in phq9.items[:2]]


def test_audit_c_in_spanish_is_the_who_spanish_edition():
    spanish = AUDIT_C.in_language("es")
    assert spanish is not None
    assert spanish.items[0].text == "¿Con qué frecuencia consume alguna bebida alcohólica?"
    assert [o.label for o in spanish.items[2].options] == [
        "Nunca",
        "Menos de una vez al mes",
        "Mensualmente",
        "Semanalmente",
        "A diario o casi a diario",
    ]
    assert "WHO/MSD/MSB/01.6a" in AUDIT_C.translations["es"].source


@pytest.mark.parametrize("definition", [GAD7, GAD2, AUDIT], ids=lambda d: d.code)
def test_without_a_published_translation_the_instrument_stays_english(definition):
    assert definition.in_language("es") is None
    assert definition.languages == ("en",)
    shown, translated = instrument_in_language(definition.code, "es")
    assert shown is definition and not translated


def test_every_other_instrument_stays_english_too():
    translated = {code for code, d in INSTRUMENTS.items() if d.translations}
    assert translated == {"phq9", "phq2", "audit_c"}


def test_the_english_only_note_is_in_spanish_for_a_spanish_page():
    with translation.override("es"):
        assert str(ENGLISH_ONLY_NOTE) == "Este cuestionario solo está disponible en inglés."
    assert str(ENGLISH_ONLY_NOTE) == "This questionnaire is only available in English."


def test_english_is_the_definition_itself():
    assert PHQ9.in_language("en") is PHQ9
    assert instrument_in_language("phq9", "en") == (PHQ9, True)
    assert instrument_in_language("phq9", "fr") == (PHQ9, False)


@pytest.mark.parametrize("code", ["phq9", "phq2", "audit_c"])
def test_values_and_points_do_not_change_with_the_language(code):
    english = INSTRUMENTS[code]
    spanish = english.in_language("es")
    assert spanish is not None
    for en_item, es_item in zip(english.items, spanish.items, strict=True):
        assert [(o.value, o.points) for o in en_item.options] == [
            (o.value, o.points) for o in es_item.options
        ]
        assert en_item.asked_if == es_item.asked_if
    assert (english.bands, english.cutoff, english.cutoff_by_sex, english.critical_items) == (
        spanish.bands,
        spanish.cutoff,
        spanish.cutoff_by_sex,
        spanish.critical_items,
    )


@pytest.mark.parametrize("code", ["phq9", "phq2", "audit_c"])
def test_scores_bands_and_flags_do_not_depend_on_the_language(code):
    english = INSTRUMENTS[code]
    spanish = english.in_language("es")
    rng = random.Random(18)
    cases = [[item.options[0].value for item in english.items]]
    cases.append([item.options[-1].value for item in english.items])
    cases += [[rng.choice(item.values) for item in english.items] for _ in range(200)]
    for answers in cases:
        for sex in ("female", "male"):
            a = score(english, answers, sex=sex)
            b = score(spanish, answers, sex=sex)
            assert (a.total, a.band, a.positive, a.flags) == (b.total, b.band, b.positive, b.flags)


def test_phq9_item_9_positive_raises_the_flag_in_spanish_too():
    answers = [0] * 8 + [1]
    result = score(PHQ9.in_language("es"), answers)
    assert "suicide_risk" in result.flags and result.total == 1 and result.band == "minimal"


def test_a_translation_that_does_not_fit_the_form_is_refused():
    bad = Translation(
        language="es",
        full_name="x",
        source="x",
        instructions="x",
        items=(TranslatedItem("una", ("a", "b")),),
    )
    with pytest.raises(ValueError, match="translation has 1 items"):
        dataclasses.replace(PHQ2, translations={"es": bad})
    uncited = dataclasses.replace(PHQ2.translations["es"], source="")
    with pytest.raises(ValueError, match="cites no source"):
        dataclasses.replace(PHQ2, translations={"es": uncited})
