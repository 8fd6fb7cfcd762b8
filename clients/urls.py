from django.urls import path

from .views import careteam, consents, merge, notes, record, related

app_name = "clients"

urlpatterns = [
    path("", record.client_index, name="list"),
    path("new/", record.client_new, name="create"),
    path("emergency-access/", record.emergency_access, name="emergency_access"),
    path(
        "emergency-access/requests/<int:request_id>/",
        record.emergency_request,
        name="emergency_request",
    ),
    path("merges/", merge.merge_list, name="merge_list"),
    path("merges/<int:merge_id>/undo/", merge.merge_undo, name="merge_undo"),
    path("<int:pk>/merge/", merge.merge_candidates, name="merge"),
    path("<int:pk>/merge/<int:other_pk>/", merge.merge_compare, name="merge_compare"),
    path("<int:pk>/", record.client_detail, name="detail"),
    path("<int:pk>/edit/", record.client_edit, name="edit"),
    path("<int:pk>/status/", record.client_status, name="status"),
    path("<int:pk>/transfer/", record.client_transfer_view, name="transfer"),
    path("<int:pk>/diagnoses/", record.diagnoses, name="diagnoses"),
    path("<int:pk>/diagnoses/<int:diagnosis_id>/", record.diagnosis_edit, name="diagnosis_edit"),
    path(
        "<int:pk>/diagnoses/<int:diagnosis_id>/classify/",
        record.diagnosis_reclassify,
        name="diagnosis_reclassify",
    ),
    path("<int:pk>/flags/", record.flag_set, name="flag_set"),
    path("<int:pk>/flags/<int:flag_id>/clear/", record.flag_clear, name="flag_clear"),
    path("<int:pk>/timeline/", record.timeline, name="timeline"),
    path("<int:pk>/access-log/", record.access_log_view, name="access_log"),
    # Notes (contact notes in DAP format, addenda)
    path("<int:pk>/notes/", notes.note_index, name="notes"),
    path("<int:pk>/notes/new/", notes.note_new, name="note_create"),
    path("<int:pk>/notes/<int:note_id>/", notes.note_detail, name="note_detail"),
    path("<int:pk>/notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("<int:pk>/notes/<int:note_id>/sign/", notes.note_sign, name="note_sign"),
    path("<int:pk>/notes/<int:note_id>/cosign/", notes.note_cosign, name="note_cosign"),
    path("<int:pk>/notes/<int:note_id>/pdf/", notes.note_pdf, name="note_pdf"),
    path("<int:pk>/notes/<int:note_id>/addenda/", notes.note_addendum, name="note_addendum"),
    # Care team
    path("<int:pk>/care-team/", careteam.careteam_index, name="careteam"),
    path("<int:pk>/care-team/<int:member_id>/end/", careteam.careteam_end, name="careteam_end"),
    # Family and contacts (related persons)
    path("<int:pk>/related-persons/", related.related_index, name="related_persons"),
    path("<int:pk>/related-persons/new/", related.related_new, name="related_person_create"),
    path(
        "<int:pk>/related-persons/<int:person_id>/edit/",
        related.related_edit,
        name="related_person_edit",
    ),
    path(
        "<int:pk>/related-persons/<int:person_id>/inactive/",
        related.related_inactive,
        name="related_person_inactive",
    ),
    # Consents and releases of information (42 CFR Part 2)
    path("<int:pk>/consents/", consents.consent_index, name="consents"),
    path("<int:pk>/consents/new/", consents.consent_new, name="consent_create"),
    path("<int:pk>/consents/<int:consent_id>/", consents.consent_detail, name="consent_detail"),
    path(
        "<int:pk>/consents/<int:consent_id>/revoke/",
        consents.consent_revoke,
        name="consent_revoke",
    ),
]
