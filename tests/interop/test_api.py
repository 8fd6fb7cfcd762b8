"""POST /api/v1/adt/: the same message body over HTTPS, the same results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from interop.models import AdtMessage, AdtStatus
from referrals.models import CareTransition, FollowUp

from .conftest import adt, msa, process_received

URL = "/api/v1/adt/"
ER7 = "x-application/hl7-v2+er7"


@pytest.fixture
def interface(db):
    from tests.factories import UserFactory

    user = UserFactory(username="mercy-interface")
    user.user_permissions.add(Permission.objects.get(codename="add_adtmessage"))
    return user


def post(api, body: str, content_type: str = ER7):
    return api.post(URL, data=body.encode(), content_type=content_type)


def test_admit_and_discharge_over_https(api, interface, inpatient_client):
    api.force_authenticate(interface)
    today = timezone.localdate()
    response = post(api, adt("A01", "API-1", admitted=today - timedelta(days=2)))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(ER7)
    assert msa(response.content.decode()) == ("AA", "API-1")
    process_received()
    response = post(
        api,
        adt(
            "A03", "API-2", admitted=today - timedelta(days=2), discharged=today - timedelta(days=1)
        ),
        "text/plain",
    )
    assert msa(response.content.decode()) == ("AA", "API-2")
    process_received()
    transition = CareTransition.objects.get()
    assert transition.discharged_on == today - timedelta(days=1)
    assert FollowUp.objects.filter(transition=transition).count() == 2


def test_missing_pid3_is_an_application_error(api, interface, inpatient_client):
    api.force_authenticate(interface)
    response = post(api, adt("A01", "API-3", pid3=""))
    assert response.status_code == 400
    assert msa(response.content.decode()) == ("AE", "API-3")
    assert AdtMessage.objects.get().status == AdtStatus.ERROR
    assert not CareTransition.objects.exists()


def test_oversized_is_rejected(api, interface, inpatient_client, settings):
    api.force_authenticate(interface)
    body = adt("A01", "API-4", extra="NTE|1||" + "x" * settings.ADT_MAX_BYTES)
    response = post(api, body)
    assert response.status_code == 400
    assert msa(response.content.decode())[0] == "AR"
    assert not CareTransition.objects.exists()


def test_duplicate_over_https_changes_nothing(api, interface, inpatient_client):
    api.force_authenticate(interface)
    post(api, adt("A01", "API-5"))
    process_received()
    assert msa(post(api, adt("A01", "API-5")).content.decode()) == ("AA", "API-5")
    assert AdtMessage.objects.count() == 1
    assert CareTransition.objects.count() == 1


def test_a_case_manager_may_not_post_messages(api, case_manager):
    api.force_authenticate(case_manager)
    assert post(api, adt("A01", "API-6")).status_code == 403
    assert not AdtMessage.objects.exists()


def test_anonymous_is_refused(api, db):
    assert post(api, adt("A01", "API-7")).status_code in (401, 403)
