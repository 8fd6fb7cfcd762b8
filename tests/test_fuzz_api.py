"""A bounded fuzz of the JSON endpoints: whatever JSON arrives, the answer is never a 5xx.

Hypothesis builds bodies from the fields each endpoint knows, filled with any JSON value
and with the values that once made a 500 (dates at the ends of the calendar, numbers
beyond a bigint or a float, ids as text, deep nesting). 50 examples per endpoint
family, derandomized so a failure is the same on every machine, a few seconds in all.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.services import followup_create

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_TRICKY = st.sampled_from(
    [
        "9999-12-31",
        "0001-01-01",
        "2024-02-30",
        "25:00",
        "1e400",
        "abc",
        "",
        " ",
        "x" * 5_000,
        10**20,
        -(10**20),
        2**63,
        -1,
        0,
        1.5,
        float("1e300"),
        True,
        None,
        [],
        {},
    ]
)
_SCALARS = st.none() | st.booleans() | st.integers() | st.text()
_SCALARS |= st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
_VALUE = _TRICKY | _JSON


def _bodies(fields, real):
    """Dicts over ``fields``: each one left out, the real value, a tricky one, or any JSON."""
    return st.fixed_dictionaries(
        {},
        optional={f: st.just(real[f]) | _VALUE if f in real else _VALUE for f in fields},
    ).map(lambda body: {**real, **body})


def _assert_not_5xx(response, body):
    assert response.status_code < 500, (response.status_code, body)


@pytest.fixture
def fuzz_api(api_500, case_manager):
    return api_500(case_manager)


@pytest.fixture
def followup(client_record, case_manager):
    return followup_create(
        actor=case_manager,
        client=client_record,
        assignee=None,
        reason="general",
        title="Check-in call",
        due_on=timezone.localdate() + timedelta(days=1),
    )


CLIENT_FIELDS = [
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "team",
    "status",
    "primary_case_manager",
    "phone",
    "email",
    "version",
]


def test_client_create_and_update_never_5xx(fuzz_api, team, client_record):
    real = {"first_name": "Sasha", "last_name": "L", "date_of_birth": "1992-06-15"}
    real |= {"team": team.pk, "status": "intake"}

    @FUZZ
    @given(body=_bodies(CLIENT_FIELDS, real), patch=_bodies(CLIENT_FIELDS, {}))
    def run(body, patch):
        _assert_not_5xx(fuzz_api.post("/api/v1/clients/", body, format="json"), body)
        url = f"/api/v1/clients/{client_record.pk}/"
        _assert_not_5xx(fuzz_api.patch(url, patch, format="json"), patch)

    run()


FOLLOWUP_FIELDS = ["client", "title", "due_on", "due_time", "reason"]


def test_followup_create_and_reschedule_never_5xx(fuzz_api, client_record, followup):
    real = {"client": client_record.pk, "title": "Call", "due_on": "2031-01-01"}
    moved = {"due_on": "2031-01-02", "reason": "Asked"}

    @FUZZ
    @given(
        body=_bodies(FOLLOWUP_FIELDS, real),
        move=_bodies(["due_on", "due_time", "reason"], moved),
    )
    def run(body, move):
        _assert_not_5xx(fuzz_api.post("/api/v1/follow-ups/", body, format="json"), body)
        url = f"/api/v1/follow-ups/{followup.pk}/reschedule/"
        _assert_not_5xx(fuzz_api.post(url, move, format="json"), move)

    run()


TRANSITION_FIELDS = [
    "client",
    "from_level",
    "to_level",
    "facility",
    "admitted_on",
    "discharged_on",
    "measure",
    "followup_appointment_at",
]


def test_care_transition_create_never_5xx(fuzz_api, client_record):
    real = {"client": client_record.pk, "from_level": "inpatient_psych"}
    real |= {"to_level": "outpatient", "admitted_on": "2030-01-01", "discharged_on": "2030-01-05"}

    @FUZZ
    @given(body=_bodies(TRANSITION_FIELDS, real))
    def run(body):
        _assert_not_5xx(fuzz_api.post("/api/v1/care-transitions/", body, format="json"), body)

    run()


NOTE_FIELDS = ["client", "contact_at", "contact_type", "duration_minutes", "data", "assessment"]


def test_note_and_medication_create_never_5xx(fuzz_api, client_record):
    note = {"client": client_record.pk, "contact_at": "2030-01-01T10:00:00Z", "data": "Seen"}
    medication = {"client": client_record.pk, "name": "Sertraline", "dose": "50 mg"}
    medication |= {"frequency": "daily", "started_on": "2030-01-01"}
    med_fields = [*medication, "route", "prescriber_name", "reason"]

    @FUZZ
    @given(body=_bodies(NOTE_FIELDS, note), med=_bodies(med_fields, medication))
    def run(body, med):
        _assert_not_5xx(fuzz_api.post("/api/v1/notes/", body, format="json"), body)
        _assert_not_5xx(fuzz_api.post("/api/v1/medications/", med, format="json"), med)

    run()


def test_list_filters_never_5xx(fuzz_api):
    params = st.dictionaries(
        st.sampled_from(["client", "status", "reason", "due_before", "page", "q", "team"]),
        st.text(max_size=25) | _TRICKY.map(str),
        max_size=3,
    )

    @FUZZ
    @given(query=params)
    def run(query):
        for url in ("/api/v1/follow-ups/", "/api/v1/clients/", "/api/v1/referrals/"):
            _assert_not_5xx(fuzz_api.get(url, query), query)

    run()
