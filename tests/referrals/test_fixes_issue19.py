"""Issue 19, smaller fixes in referrals: completing before the appointment date is
refused with the reason; the demo directory (an HSDS 3.0 CSV set) loaded by the seed;
the searchable service picker and "Refer" on each directory card; directory
organisations in the API."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casemgmt.audit.models import AuditEvent
from referrals.models import Organization, Referral, ReferralStatus, Service, ServiceCategory
from referrals.services import hsds_demo_import, hsds_import, referral_create, referral_move
from referrals.services.hsds import DEMO_DIR, hsds_files_read
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------ completing before the appointment
@pytest.fixture
def scheduled(case_manager, client_record, service):
    """A referral scheduled for an appointment in three days."""
    referral = referral_create(
        actor=case_manager, client=client_record, service=service, reason="Detox"
    )
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.SCHEDULED, appointment_at=timezone.now() + timedelta(days=3)
    )
    referral.refresh_from_db()
    return referral


def test_completing_before_the_appointment_day_is_refused(case_manager, scheduled):
    with pytest.raises(ValidationError) as error:
        referral_move(
            actor=case_manager,
            referral=scheduled,
            status="completed",
            completion_confirmation="provider",
        )
    day = scheduled.client.team.local_date(scheduled.appointment_at)
    message = error.value.message_dict["appointment_at"][0]
    assert f"{day:%a %b %-d, %Y}" in message and "after today" in message
    scheduled.refresh_from_db()
    assert scheduled.status == ReferralStatus.SCHEDULED


def test_completing_on_the_appointment_day_or_after_is_allowed(case_manager, scheduled):
    Referral.objects.filter(pk=scheduled.pk).update(appointment_at=timezone.now())
    done = referral_move(
        actor=case_manager,
        referral=scheduled,
        status="completed",
        completion_confirmation="provider",
    )
    assert done.status == ReferralStatus.COMPLETED


def test_an_appointment_that_took_place_earlier_is_recorded_on_completion(case_manager, scheduled):
    took_place = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        referral_move(
            actor=case_manager,
            referral=scheduled,
            status="completed",
            completion_confirmation="client",
            appointment_at=timezone.now() + timedelta(days=1),
        )
    assert "future" in error.value.message_dict["appointment_at"][0]
    done = referral_move(
        actor=case_manager,
        referral=scheduled,
        status="completed",
        completion_confirmation="client",
        appointment_at=took_place,
    )
    assert done.appointment_at == took_place
    assert "Appointment took place" in done.events.last().note


def test_the_page_and_the_api_say_why(browser_as, api_as, case_manager, client_record, scheduled):
    browser = browser_as(case_manager)
    url = reverse("referrals:referral_detail", args=[client_record.pk, scheduled.pk])
    response = browser.post(
        url,
        {
            "move": "completed",
            "completed-status": "completed",
            "completed-completion_confirmation": "provider",
            "completed-outcome": "",
        },
    )
    assert response.status_code == 200
    assert 'id="id_completed-appointment_at_error"' in response.text
    assert "after today" in response.text
    api = api_as(case_manager)
    response = api.post(
        f"/api/v1/referrals/{scheduled.pk}/complete/",
        {"completion_confirmation": "provider"},
        format="json",
    )
    assert response.status_code == 400 and "after today" in response.json()["appointment_at"][0]
    assert Referral.objects.get(pk=scheduled.pk).status == ReferralStatus.SCHEDULED


# ------------------------------------------------------------------ demo directory
def test_the_demo_directory_is_an_hsds_set_with_every_category():
    files = hsds_files_read(DEMO_DIR)
    # HSDS 3.0 table names (tabular form).
    assert {
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "addresses.csv",
        "service_at_locations.csv",
        "phones.csv",
        "languages.csv",
        "schedules.csv",
        "taxonomy_terms.csv",
        "attributes.csv",
    } <= set(files)
    assert (
        files["services.csv"]
        .splitlines()[0]
        .startswith("id,organization_id,name,alternate_name,description,url,email,status")
    )
    report = hsds_demo_import()
    assert report.saved and report.organizations >= 38 and report.services >= 40
    assert set(Service.objects.values_list("category", flat=True)) == set(ServiceCategory.values)
    again = hsds_demo_import()  # matched on HSDS ids: nothing doubled
    assert again.saved and Organization.objects.count() == report.organizations
    beacon = Service.objects.get(name="Methadone treatment (OTP)")
    assert beacon.category == "mat" and beacon.languages == ["English", "Spanish"]
    assert beacon.address.endswith("Riverside, OH, 45113") or "Riverside, OH" in beacon.address
    assert beacon.phone.startswith("555-01") and beacon.hours == "Mon-Sat 5:30-13:00"
    assert beacon.last_verified_on is not None and beacon.waitlist == "Same-week intake"


def test_hsds_3_tables_are_checked_row_by_row():
    files = {
        "organizations.csv": "id,name\no1,Org\n",
        "services.csv": "id,organization_id,name,status\ns1,o1,Service,active\n",
        "languages.csv": "id,service_id,name\nl1,s9,Spanish\n",
        "attributes.csv": "id,link_id,link_entity,taxonomy_term_id\na1,s1,service,t9\n",
        "addresses.csv": "id,location_id,address_1\nad1,x1,1 Main St\n",
    }
    report = hsds_import(files=files, dry_run=True)
    reasons = [str(e) for e in report.errors]
    assert "languages.csv line 2: Unknown service_id 's9'." in reasons
    assert "attributes.csv line 2: Unknown taxonomy_term_id 't9'." in reasons
    assert "addresses.csv line 2: Unknown location_id 'x1'." in reasons


def test_the_demo_seed_loads_the_directory_and_refers_to_it():
    from django.core.management import call_command

    call_command("seed_demo", clients=12, stdout=io.StringIO())
    assert Service.objects.count() >= 40
    assert Referral.objects.filter(service__isnull=False).exists()


# ----------------------------------------------------- picker and "Refer" on the cards
def test_referral_form_has_a_searchable_picker(browser_as, case_manager, client_record):
    hsds_demo_import()
    page = browser_as(case_manager).get(
        reverse("referrals:referral_create", args=[client_record.pk])
    )
    assert 'data-filter="services"' in page.text and "js/select_filter.js" in page.text
    assert "Methadone treatment (OTP) (Beacon Opioid Treatment Program) · Medication for" in (
        page.text
    )
    assert f'/referrals/directory/?client={client_record.pk}"' in page.text


def test_directory_cards_refer_for_the_client(browser_as, case_manager, client_record, outsider):
    hsds_demo_import()
    service = Service.objects.get(name="Methadone treatment (OTP)")
    browser = browser_as(case_manager)
    page = browser.get(
        reverse("referrals:directory"), {"client": client_record.pk, "q": "methadone"}
    )
    assert 'id="referring"' in page.text
    target = reverse("referrals:referral_create", args=[client_record.pk])
    assert f'{target}?service={service.pk}"' in page.text
    form = browser.get(f"{target}?service={service.pk}")
    assert f'<option value="{service.pk}" selected>' in form.text
    # Out of reach: 404, as every chart page.
    other = ClientFactory()
    assert browser.get(reverse("referrals:directory"), {"client": other.pk}).status_code == 404


def test_refer_without_a_client_asks_which_one(browser_as, case_manager, client_record, team):
    hsds_demo_import()
    service = Service.objects.get(name="Free hot meals")
    browser = browser_as(case_manager)
    page = browser.get(reverse("referrals:directory"), {"q": "hot meals"})
    refer = reverse("referrals:service_refer", args=[service.pk])
    assert f'href="{refer}"' in page.text
    page = browser.get(refer)
    target = reverse("referrals:referral_create", args=[client_record.pk])
    assert f"{target}?service={service.pk}" in page.text  # own caseload first
    someone = ClientFactory(team=team, last_name="Quixote")
    page = browser.get(refer, {"q": "Quixote"})
    assert someone.client_number in page.text and client_record.client_number not in page.text
    stranger = ClientFactory(last_name="Quixote")
    assert stranger.client_number not in page.text
    assert AuditEvent.objects.filter(object_type="clients.client_list").exists()


# -------------------------------------------------------------- organisations in the API
def test_api_organizations_with_the_services_filters(api_as, case_manager):
    hsds_demo_import()
    api = api_as(case_manager)
    body = api.get("/api/v1/organizations/").json()
    assert body["count"] == Organization.objects.count()
    beacon = next(o for o in body["results"] if o["name"] == "Beacon Opioid Treatment Program")
    assert {s["name"] for s in beacon["services"]} == {
        "Methadone treatment (OTP)",
        "Buprenorphine induction",
    }
    names = {
        o["name"] for o in api.get("/api/v1/organizations/", {"category": "mat"}).json()["results"]
    }
    assert (
        "Beacon Opioid Treatment Program" in names and "Harbor Light Housing Alliance" not in names
    )
    vietnamese = api.get("/api/v1/organizations/", {"language": "vietnamese"}).json()["results"]
    assert vietnamese and all(
        any("Vietnamese" in Service.objects.get(pk=s["id"]).languages for s in o["services"])
        for o in vietnamese
    )
    found = api.get("/api/v1/organizations/", {"q": "methadone"}).json()["results"]
    assert [o["name"] for o in found] == ["Beacon Opioid Treatment Program"]
    assert api.get("/api/v1/organizations/", {"category": "nonsense"}).status_code == 400
    one = api.get(f"/api/v1/organizations/{beacon['id']}/")
    assert one.status_code == 200 and one.json()["website"].endswith(".example.org/")
    assert api.get("/api/v1/organizations/999999/").status_code == 404


@pytest.mark.parametrize("n", [1, 30])
def test_api_organizations_query_count(api_as, case_manager, django_assert_max_num_queries, n):
    for i in range(n):
        org = Organization.objects.create(name=f"Org {i}")
        for j in range(3):
            Service.objects.create(organization=org, name=f"S{i}-{j}", category="food")
    api = api_as(case_manager)
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/organizations/", {"page_size": 50})
    assert response.status_code == 200 and response.json()["count"] == n
