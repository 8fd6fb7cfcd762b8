"""The comprehensive assessment: sections saved as drafts, completed = locked, changes as
a new version; and the findings the care plan reads (the contract in issue 4, item 6)."""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import AssessmentStatus, ComprehensiveAssessment
from assessments.selectors import NEED_DOMAINS, latest_assessment_findings
from casemgmt.audit.models import AuditEvent
from casemgmt.lib.errors import Conflict

from .helpers import PHQ9_ITEM9, give, phq9

pytestmark = pytest.mark.django_db

COMPLETE = {
    "presenting_concerns": "Low mood, drinking daily since losing work.",
    "client_goals": "I want my own place and to stop waking up sick.",
    "stage_mental_health": "contemplation",
    "stage_substance_use": "precontemplation",
    "level_indicated": "2.1",
    "level_arranged": "2.1",
    **{f"asam_d{n}": 2 for n in range(1, 7)},
}


def _complete(user, client, **extra):
    a = services.assessment_start(actor=user, client=client)
    services.assessment_update(actor=user, assessment=a, data=COMPLETE | extra)
    return services.assessment_complete(actor=user, assessment=a)


def test_start_links_recent_results_and_is_one_draft(case_manager, client_record):
    old = give(case_manager, client_record, answers=phq9(12), days_ago=200)
    recent = give(case_manager, client_record, answers=phq9(10), days_ago=3)
    audit = give(case_manager, client_record, code="audit", answers=[1] * 8 + [0, 0])
    a = services.assessment_start(actor=case_manager, client=client_record)
    assert set(a.responses.all()) == {recent, audit} and old not in a.responses.all()
    assert services.assessment_start(actor=case_manager, client=client_record) == a
    assert a.status == AssessmentStatus.DRAFT and a.version == 1


def test_sections_save_as_drafts_and_audit_the_fields(case_manager, client_record):
    a = services.assessment_start(actor=case_manager, client=client_record)
    services.assessment_update(
        actor=case_manager,
        assessment=a,
        data={"housing": "  Couch surfing.  ", "social_needs": ["housing", "food"]},
    )
    a.refresh_from_db()
    assert a.housing == "Couch surfing." and a.social_needs == ["housing", "food"]
    event = AuditEvent.objects.filter(action="update", object_id=str(a.pk)).latest("id")
    assert event.detail == {"fields": ["housing", "social_needs"], "edit_version": 2}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stage_substance_use": "denial"}, "stage_substance_use"),
        ({"asam_d3": 7}, "asam_d3"),
        ({"level_indicated": "2.2"}, "level_indicated"),
        ({"social_needs": ["ponies"]}, "social_needs"),
        ({"status": "completed"}, "status"),
        ({"level_indicated": "3.7-WM", "level_arranged": "1-WM"}, "level_difference_reason"),
    ],
)
def test_bad_section_values_name_the_field(case_manager, client_record, data, field):
    a = services.assessment_start(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.assessment_update(actor=case_manager, assessment=a, data=data)
    assert field in error.value.message_dict


def test_level_difference_needs_a_reason(case_manager, client_record):
    a = services.assessment_start(actor=case_manager, client=client_record)
    services.assessment_update(
        actor=case_manager,
        assessment=a,
        data={
            "level_indicated": "3.5",
            "level_arranged": "2.1",
            "level_difference_reason": "No residential bed for 3 weeks; IOP meanwhile.",
        },
    )
    a.refresh_from_db()
    assert a.level_arranged == "2.1"


def test_completing_needs_the_essentials(case_manager, client_record):
    a = services.assessment_start(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(actor=case_manager, assessment=a)
    missing = error.value.message_dict
    assert {"presenting_concerns", "client_goals", "stage_substance_use", "asam_d1"} <= set(missing)
    a.refresh_from_db()
    assert a.status == AssessmentStatus.DRAFT


def test_a_completed_assessment_is_locked(case_manager, client_record):
    a = _complete(case_manager, client_record)
    assert a.status == "completed" and a.completed_by == case_manager and a.completed_at
    with pytest.raises(Conflict):
        services.assessment_update(actor=case_manager, assessment=a, data={"housing": "x"})
    with pytest.raises(Conflict):
        services.assessment_complete(actor=case_manager, assessment=a)
    with pytest.raises(Conflict):
        services.assessment_substance_add(
            actor=case_manager, assessment=a, substance="Alcohol", pattern="daily", route="oral"
        )
    with pytest.raises(Conflict):
        services.assessment_link_responses(actor=case_manager, assessment=a, response_ids=[])


def test_a_new_version_copies_and_leaves_the_old_one(case_manager, client_record):
    a = services.assessment_start(actor=case_manager, client=client_record)
    services.assessment_substance_add(
        actor=case_manager,
        assessment=a,
        substance="Alcohol",
        age_first_use=14,
        pattern="daily",
        route="oral",
        withdrawal_history="Shakes in the morning",
    )
    services.assessment_update(actor=case_manager, assessment=a, data=COMPLETE)
    services.assessment_complete(actor=case_manager, assessment=a)
    b = services.assessment_new_version(actor=case_manager, assessment=a)
    assert (b.version, b.supersedes, b.status) == (2, a, "draft")
    assert b.client_goals == COMPLETE["client_goals"]
    assert [s.substance for s in b.substances.all()] == ["Alcohol"]
    services.assessment_update(actor=case_manager, assessment=b, data={"housing": "Shelter"})
    a.refresh_from_db()
    assert a.housing == "" and a.substances.count() == 1
    with pytest.raises(Conflict):
        services.assessment_new_version(actor=case_manager, assessment=a)
    with pytest.raises(Conflict):
        services.assessment_new_version(actor=case_manager, assessment=b)


def test_substance_rows_validate(case_manager, client_record):
    a = services.assessment_start(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.assessment_substance_add(
            actor=case_manager, assessment=a, substance="", age_first_use=1, pattern="x", route=""
        )
    assert {"substance", "age_first_use", "pattern", "route"} <= set(error.value.message_dict)


def test_link_responses_only_of_this_client(case_manager, client_record, team):
    from tests.factories import ClientFactory

    other = give(case_manager, ClientFactory(team=team))
    a = services.assessment_start(actor=case_manager, client=client_record)
    with pytest.raises(ValidationError) as error:
        services.assessment_link_responses(
            actor=case_manager, assessment=a, response_ids=[other.pk]
        )
    assert "responses" in error.value.message_dict


# ------------------------------------------------------------------------------ findings
def test_findings_are_none_without_a_completed_assessment(case_manager, client_record):
    assert latest_assessment_findings(client=client_record) is None
    services.assessment_start(actor=case_manager, client=client_record)
    assert latest_assessment_findings(client=client_record) is None


def test_findings_follow_the_contract(case_manager, client_record):
    positive = give(case_manager, client_record, answers=phq9(16))
    give(case_manager, client_record, code="gad7", answers=[0] * 7)  # negative: left out
    audit = give(case_manager, client_record, code="audit", answers=[2] * 8 + [0, 0])
    a = _complete(
        case_manager,
        client_record,
        need_mental_health="Depression untreated for a year.",
        need_substance_use="Daily drinking; wants to cut down.",
        need_housing="Sleeping on a friend's couch.",
        social_needs=["housing", "food", "income", "childcare", "legal"],
        level_indicated="3.5",
        level_arranged="2.1",
        level_difference_reason="Waiting list.",
    )
    findings = latest_assessment_findings(client=client_record)
    assert set(findings) == {
        "assessment_id",
        "completed_at",
        "needs",
        "positive_screens",
        "stages",
        "level_of_care",
        "asam_edition",
    }
    assert findings["assessment_id"] == a.pk and findings["completed_at"] == a.completed_at
    needs = {n["domain"]: n["description"] for n in findings["needs"]}
    assert set(needs) <= set(NEED_DOMAINS)
    assert needs["mental_health"] == "Depression untreated for a year."
    assert needs["housing"] == "Sleeping on a friend's couch. Social needs: housing, food."
    assert needs["work_education"] == "Social needs: income."
    assert needs["family_social"] == "Social needs: childcare."
    assert needs["legal"] == "Social needs: legal."
    assert [(s["code"], s["name"], s["band"]) for s in findings["positive_screens"]] == [
        ("phq9", "PHQ-9", "moderately severe"),
        ("audit", "AUDIT", "zone iii"),
    ]
    assert findings["positive_screens"][0]["administered_at"] == positive.administered_at
    assert audit.positive
    assert findings["stages"] == {
        "mental_health": "contemplation",
        "substance_use": "precontemplation",
    }
    assert findings["level_of_care"] == "2.1"
    assert findings["asam_edition"] == "3"  # the level is a 3rd-edition code


def test_findings_add_a_crisis_need_for_suicide_risk(case_manager, client_record):
    give(case_manager, client_record, answers=PHQ9_ITEM9)
    _complete(case_manager, client_record)
    findings = latest_assessment_findings(client=client_record)
    crisis = [n for n in findings["needs"] if n["domain"] == "crisis_safety"]
    assert len(crisis) == 1 and "suicide risk" in crisis[0]["description"]
    assert findings["positive_screens"][0]["code"] == "phq9"


def test_findings_read_the_newest_completed_version(case_manager, client_record):
    a = _complete(case_manager, client_record)
    b = services.assessment_new_version(actor=case_manager, assessment=a)
    assert latest_assessment_findings(client=client_record)["assessment_id"] == a.pk
    services.assessment_update(
        actor=case_manager, assessment=b, data={"stage_substance_use": "action"}
    )
    services.assessment_complete(actor=case_manager, assessment=b)
    findings = latest_assessment_findings(client=client_record)
    assert findings["assessment_id"] == b.pk and findings["stages"]["substance_use"] == "action"
    assert ComprehensiveAssessment.objects.count() == 2


def test_findings_query_count(case_manager, client_record, django_assert_max_num_queries):
    for _ in range(5):
        give(case_manager, client_record, answers=phq9(12))
    a = services.assessment_start(actor=case_manager, client=client_record)
    services.assessment_update(actor=case_manager, assessment=a, data=COMPLETE)
    services.assessment_complete(actor=case_manager, assessment=a)
    with django_assert_max_num_queries(2):
        latest_assessment_findings(client=client_record)
