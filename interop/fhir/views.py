"""The FHIR R4 read API under ``/fhir/r4/``: ``metadata``, read and search of Patient,
Condition, Observation, QuestionnaireResponse, Questionnaire, Consent, Encounter (care
transitions), CarePlan, Goal, CareTeam, EpisodeOfCare (enrolment) and ServiceRequest
(referrals), and
``Patient/{id}/$everything``.

The same rules as ``/api/v1/``: token authentication (the DRF default classes), only
clients in the caller's reach (anything else is a 404 OperationOutcome, never a 403),
every read audited (``view``, or ``emergency_access`` when the caller reaches the client
only by breaking the glass). 42 CFR Part 2 records carry security labels; an outside
organisation's account gets them only under a Part 2 consent naming it, and each read
is entered in the client's accounting of disclosures (``part2``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from assessments.models import InstrumentResponse
from assessments.selectors import (
    instrument_get,
    instrument_list,
    response_list,
    response_list_in_reach,
)
from careplans.models import CarePlan, Goal
from careplans.selectors import careplan_list, careplan_list_in_reach, goal_list, goal_list_in_reach
from casemgmt.accounts.models import User
from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record
from clients.models import CareTeamMember, Client, Consent, ContactNote, Diagnosis, RelatedPerson
from clients.selectors import (
    care_team_list,
    client_get,
    client_list,
    client_reached_by_emergency_access,
    consent_list,
    consent_list_in_reach,
    diagnosis_list,
    diagnosis_list_in_reach,
    note_list,
    note_list_in_reach,
    related_person_list,
    related_person_list_in_reach,
)
from referrals.models import CareTransition, Referral
from referrals.selectors import referral_list, referrals_for_client, transition_list
from referrals.services import disclosure_record_api

from . import part2, resources
from .part2 import Part2Gate, part2_gate

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 200


class FhirJSONRenderer(BaseRenderer):
    """Lets ``Accept: application/fhir+json`` through content negotiation; the views
    answer with their own ``HttpResponse``."""

    media_type = FHIR_JSON
    format = "fhir"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def fhir_response(data: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, separators=(",", ":")),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )


def outcome(status: int, code: str, text: str) -> HttpResponse:
    return fhir_response(resources.operation_outcome(code, text), status=status)


class BadRequest(Exception):
    """A search parameter the server cannot use: a 400 OperationOutcome."""


class FhirView(APIView):
    renderer_classes = [FhirJSONRenderer, JSONRenderer]
    # Not in the OpenAPI schema: FHIR describes itself (``metadata``, the
    # CapabilityStatement) and its resources are validated with the R4B models.
    schema = None

    # FHIR errors are OperationOutcome resources in a plain HttpResponse, as every answer
    # here is (DRF accepts any HttpResponse; its stubs say Response).
    def handle_exception(self, exc: Exception) -> HttpResponse:  # type: ignore[override]
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response = outcome(401, "login", str(exc.detail))
            header = self.get_authenticate_header(self.request)
            if header:
                response["WWW-Authenticate"] = header
            return response
        if isinstance(exc, Http404 | exceptions.NotFound):
            return outcome(404, "not-found", "No such resource in your reach.")
        if isinstance(exc, BadRequest):
            return outcome(400, "invalid", str(exc))
        if isinstance(exc, exceptions.NotAcceptable):
            return outcome(406, "not-supported", f"Ask for {FHIR_JSON}.")
        if isinstance(exc, exceptions.APIException):
            return outcome(exc.status_code, "processing", str(exc.detail))
        raise exc

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def base_url(self) -> str:
        return self.request.build_absolute_uri("/fhir/r4/")


def _audit(
    request: Request,
    *,
    client_id: int | None,
    obj: Any = None,
    object_type: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """One audit event for a read: ``emergency_access`` when the caller reaches the
    client only by breaking the glass, else ``view``."""
    user = cast(User, request.user)
    emergency = (
        client_reached_by_emergency_access(user=user, client_id=client_id) if client_id else None
    )
    audit_record(
        user=user,
        action=AuditAction.EMERGENCY_ACCESS if emergency else AuditAction.VIEW,
        obj=obj,
        object_type=object_type,
        client_id=client_id,
        detail={"api": "fhir", **(detail or {})},
    )


def _account(*, user: User, client: Client, gate: Part2Gate) -> int | None:
    """Enter what this request disclosed to an outside organisation in the client's
    accounting of disclosures (one entry per request); its id, or None."""
    if not (gate.outside and gate.disclosed and gate.consent is not None):
        return None
    disclosure = disclosure_record_api(
        actor=user,
        client=client,
        recipient=gate.recipient,
        consent=gate.consent,
        information="42 CFR Part 2 records (FHIR): " + ", ".join(gate.disclosed),
        when=timezone.now(),
    )
    return disclosure.pk


# --------------------------------------------------------------------- search helpers
_DATE = re.compile(r"^(eq|ge|le|gt|lt)?(\d{4}-\d{2}-\d{2})")
_LOOKUP = {"eq": "", "ge": "__gte", "le": "__lte", "gt": "__gt", "lt": "__lt"}


def _date_filters(values: Iterable[str], field: str) -> dict[str, date]:
    filters: dict[str, date] = {}
    for value in values:
        match = _DATE.match(value)
        if not match:
            raise BadRequest(f"Cannot read the date {value!r}: give [eq|ge|le|gt|lt]YYYY-MM-DD.")
        try:
            day = date.fromisoformat(match.group(2))
        except ValueError:
            raise BadRequest(f"No such day: {value!r}.") from None
        filters[f"{field}{_LOOKUP[match.group(1) or 'eq']}"] = day
    return filters


def _token(value: str) -> tuple[str | None, str]:
    system, sep, code = value.rpartition("|")
    return (system if sep else None), code


def _search_client(request: Request) -> Client:
    """The client of ``?patient=`` (``123`` or ``Patient/123``), in reach; required."""
    value = request.query_params.get("patient") or request.query_params.get("subject") or ""
    if not value:
        raise BadRequest("Search by patient: give ?patient=<id>.")
    return client_get(user=cast(User, request.user), client_id=value.removeprefix("Patient/"))


def _count(request: Request) -> int:
    value = request.query_params.get("_count", "")
    if not value:
        return MAX_COUNT
    if not value.isdigit():
        raise BadRequest("_count must be a whole number.")
    return min(int(value), MAX_COUNT)


# -------------------------------------------------------------------- what is served
def _conditions(qs: QuerySet[Diagnosis], params: Any) -> QuerySet[Diagnosis]:
    status = params.get("clinical-status")
    if status:
        reverse = {v: k for k, v in resources._CLINICAL_STATUS.items()}
        wanted = [reverse[s] for s in status.split(",") if s in reverse]
        qs = qs.filter(status__in=wanted)
    category = params.get("category")
    if category and _token(category)[1] != "problem-list-item":
        qs = qs.none()
    return qs


def _observations(qs: QuerySet[InstrumentResponse], params: Any) -> QuerySet[InstrumentResponse]:
    category = params.get("category")
    if category and _token(category)[1] != "survey":
        qs = qs.none()
    code = params.get("code")
    if code:
        by_loinc = {loinc: key for key, (loinc, _) in resources.LOINC_TOTALS.items()}
        wanted = [by_loinc.get(_token(c)[1], _token(c)[1]) for c in code.split(",")]
        qs = qs.filter(instrument__in=wanted)
    dates = params.getlist("date")
    if dates:
        qs = qs.filter(**_date_filters(dates, "administered_at__date"))
    return qs


def _consents(qs: QuerySet[Consent], params: Any) -> QuerySet[Consent]:
    dates = params.getlist("date")
    if dates:
        qs = qs.filter(**_date_filters(dates, "signed_on"))
    return qs


def _condition(d: Diagnosis, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.diagnosis_is_part2(d) and not gate.admit(f"Condition/{d.pk}"):
        return None
    return resources.condition(d)


def _observation(r: InstrumentResponse, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.instrument_is_part2(r.instrument) and not gate.admit(f"Observation/{r.pk}"):
        return None
    return resources.observation(r)


def _consent(c: Consent, gate: Part2Gate, on: date) -> dict[str, Any] | None:
    if part2.consent_is_part2(c) and not gate.admit(f"Consent/{c.pk}"):
        return None
    return resources.consent(c, on=on)


def _encounters(qs: QuerySet[CareTransition], params: Any) -> QuerySet[CareTransition]:
    """``date``: the stay overlaps the day (``ge``/``gt``: ends on or after it, or has not
    ended; ``le``/``lt``: began on or before it; ``eq``: both)."""
    for lookup, day in _date_filters(params.getlist("date"), "").items():
        if lookup in ("", "__gte", "__gt"):
            ends = "__gte" if lookup == "" else lookup
            qs = qs.filter(Q(discharged_on__isnull=True) | Q(**{f"discharged_on{ends}": day}))
        if lookup in ("", "__lte", "__lt"):
            begins = "__lte" if lookup == "" else lookup
            qs = qs.filter(Q(admitted_on__isnull=True) | Q(**{f"admitted_on{begins}": day}))
    return qs


def _careplans(qs: QuerySet[CarePlan], params: Any) -> QuerySet[CarePlan]:
    category = params.get("category")
    if category and _token(category)[1] != "assess-plan":
        qs = qs.none()
    dates = params.getlist("date")
    if dates:
        qs = qs.filter(**_date_filters(dates, "effective_date"))
    return qs


def _goals(qs: QuerySet[Goal], params: Any) -> QuerySet[Goal]:
    status = params.get("lifecycle-status")
    if status:
        reverse = {v: k for k, v in resources._GOAL_LIFECYCLE.items()}
        qs = qs.filter(status__in=[reverse[s] for s in status.split(",") if s in reverse])
    return qs


def _questionnaire_responses(
    qs: QuerySet[InstrumentResponse], params: Any
) -> QuerySet[InstrumentResponse]:
    wanted = params.get("questionnaire")
    if wanted:
        ids = [w.rstrip("/").rsplit("/", 1)[-1] for w in wanted.split(",")]
        qs = qs.filter(instrument__in=[i.replace("-", "_") for i in ids])
    dates = params.getlist("authored")
    if dates:
        qs = qs.filter(**_date_filters(dates, "administered_at__date"))
    return qs


def _questionnaire_response(r: InstrumentResponse, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.instrument_is_part2(r.instrument) and not gate.admit(f"QuestionnaireResponse/{r.pk}"):
        return None
    return resources.questionnaire_response(r)


def _careteam(
    client: Client, members: Iterable[CareTeamMember], gate: Part2Gate
) -> dict[str, Any] | None:
    """The client's CareTeam; a substance use counsellor only where Part 2 allows it
    (one admission for the CareTeam). None when nobody is left on it."""
    members = list(members)
    if any(part2.member_is_part2(m) for m in members) and not gate.admit(f"CareTeam/{client.pk}"):
        members = [m for m in members if not part2.member_is_part2(m)]
    return resources.careteam(client, members) if members else None


def _service_requests(qs: QuerySet[Referral], params: Any) -> QuerySet[Referral]:
    status = params.get("status")
    if status:
        wanted = set(status.split(","))
        qs = qs.filter(status__in=[k for k, v in resources._REFERRAL_STATUS.items() if v in wanted])
    dates = params.getlist("authored")
    if dates:
        qs = qs.filter(**_date_filters(dates, "created_at__date"))
    return qs


def _service_request(r: Referral, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.referral_is_part2(r) and not gate.admit(f"ServiceRequest/{r.pk}"):
        return None
    return resources.service_request(r)


def _task(r: Referral, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.referral_is_part2(r) and not gate.admit(f"Task/{r.pk}"):
        return None
    return resources.task(r)


def _tasks(qs: QuerySet[Referral], params: Any) -> QuerySet[Referral]:
    status = params.get("status")
    if status:
        wanted = set(status.split(","))
        qs = qs.filter(status__in=[k for k, v in resources._TASK_STATUS.items() if v in wanted])
    dates = params.getlist("authored-on")
    if dates:
        qs = qs.filter(**_date_filters(dates, "created_at__date"))
    return qs


def _related_person(p: RelatedPerson, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.related_person_is_part2(p) and not gate.admit(f"RelatedPerson/{p.pk}"):
        return None
    return resources.related_person(p)


def _signed(notes: QuerySet[ContactNote]) -> QuerySet[ContactNote]:
    return notes.filter(signed_at__isnull=False)


def _part2_program(client: Client) -> bool:
    """The client has a substance use diagnosis: this program's contact notes about
    them are Part 2 records. One query."""
    return any(part2.diagnosis_is_part2(d) for d in diagnosis_list(client=client))


def _contact(note: ContactNote, gate: Part2Gate, sud: bool) -> dict[str, Any] | None:
    if sud and not gate.admit(f"Encounter/{resources.CONTACT_ID_PREFIX}{note.pk}"):
        return None
    return resources.contact_encounter(note, part2_record=sud)


def _encounter(t: CareTransition, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.transition_is_part2(t) and not gate.admit(f"Encounter/{t.pk}"):
        return None
    return resources.encounter(t)


def _careplan(plan: CarePlan, gate: Part2Gate) -> dict[str, Any] | None:
    problems, goals = list(plan.problems.all()), list(plan.goals.all())
    if part2.careplan_is_part2(plan, problems, goals) and not gate.admit(f"CarePlan/{plan.pk}"):
        return None
    return resources.careplan(plan, problems=problems, goals=goals)


def _goal(g: Goal, gate: Part2Gate) -> dict[str, Any] | None:
    if part2.goal_is_part2(g) and not gate.admit(f"Goal/{g.pk}"):
        return None
    return resources.goal(g)


def _with_parts(qs: QuerySet[CarePlan]) -> QuerySet[CarePlan]:
    """Plans with their problems and goals (each goal with its problem): three queries."""
    return qs.prefetch_related("problems", "goals__problem").order_by("-version", "-pk")


# ------------------------------------------------------------------------------ views
class Metadata(FhirView):
    """The CapabilityStatement: open to anyone, as FHIR clients expect."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> HttpResponse:
        return fhir_response(resources.capability_statement(now=timezone.now()))


class PatientRead(FhirView):
    def get(self, request: Request, pk: str) -> HttpResponse:
        client = client_get(user=self.user, client_id=pk)
        _audit(request, client_id=client.pk, obj=client)
        return fhir_response(resources.patient(client))


class PatientSearch(FhirView):
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        qs = client_list(user=self.user).order_by("last_name", "first_name", "pk")
        if params.get("_id"):
            ids = [v for v in params["_id"].split(",") if v.isdigit() and len(v) < 19]
            qs = qs.filter(pk__in=ids)
        if params.get("identifier"):
            system, value = _token(params["identifier"])
            qs = (
                qs.none()
                if system not in (None, resources.CLIENT_NUMBER)
                else qs.filter(client_number=value)
            )
        if params.getlist("birthdate"):
            qs = qs.filter(**_date_filters(params.getlist("birthdate"), "date_of_birth"))
        if params.get("name"):
            name = params["name"]
            qs = qs.filter(
                Q(last_name__icontains=name)
                | Q(first_name__icontains=name)
                | Q(preferred_name__icontains=name)
            )
        total = qs.count()
        clients = list(qs[: _count(request)])
        audit_record(
            user=self.user,
            action=AuditAction.VIEW,
            object_type="clients.client_list",
            detail={"api": "fhir", "filters": sorted(k for k, v in params.items() if v)},
        )
        entries = [resources.patient(c) for c in clients]
        return fhir_response(
            resources.bundle(entries, kind="searchset", base=self.base_url(), total=total)
        )


class _ClientResourceView(FhirView):
    """Read and search of one kind of resource that hangs off a client."""

    kind: str
    object_type: str

    def in_reach(self) -> QuerySet[Any]:
        raise NotImplementedError

    def of_client(self, client: Client) -> QuerySet[Any]:
        raise NotImplementedError

    def narrow(self, qs: QuerySet[Any], params: Any) -> QuerySet[Any]:
        return qs

    def client_of(self, obj: Any) -> Client:
        return obj.client

    def build(self, obj: Any, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        raise NotImplementedError

    def extra_entries(self, client: Client, params: Any, gate: Part2Gate) -> list[dict[str, Any]]:
        """More resources of this kind from another source (Encounter: contact notes)."""
        return []

    def read(self, request: Request, pk: str) -> HttpResponse:
        if not pk.isdigit() or len(pk) > 18:
            raise Http404
        obj = self.in_reach().filter(pk=int(pk)).first()
        if obj is None:
            raise Http404
        client = self.client_of(obj)
        gate = part2_gate(user=self.user, client=client)
        with transaction.atomic():
            resource = self.build(obj, gate, client)
            if resource is None:  # Part 2 record, no consent for this organisation
                raise Http404
            disclosure = _account(user=self.user, client=client, gate=gate)
            _audit(
                request,
                client_id=client.pk,
                obj=obj,
                detail={"disclosure": disclosure} if disclosure else None,
            )
        return fhir_response(resource)

    def search(self, request: Request) -> HttpResponse:
        client = _search_client(request)
        qs = self.narrow(self.of_client(client), request.query_params)
        gate = part2_gate(user=self.user, client=client)
        with transaction.atomic():
            entries = [r for r in (self.build(o, gate, client) for o in qs) if r is not None]
            entries += self.extra_entries(client, request.query_params, gate)
            entries = entries[: _count(request)]
            disclosure = _account(user=self.user, client=client, gate=gate)
            _audit(
                request,
                client_id=client.pk,
                object_type=f"{self.object_type}_list",
                detail={
                    "filters": sorted(k for k, v in request.query_params.items() if v),
                    **({"disclosure": disclosure} if disclosure else {}),
                },
            )
        return fhir_response(resources.bundle(entries, kind="searchset", base=self.base_url()))

    def get(self, request: Request, pk: str | None = None) -> HttpResponse:
        return self.search(request) if pk is None else self.read(request, pk)


class ConditionView(_ClientResourceView):
    kind = "Condition"
    object_type = "clients.diagnosis"

    def in_reach(self) -> QuerySet[Diagnosis]:
        return diagnosis_list_in_reach(user=self.user).select_related("client__team")

    def of_client(self, client: Client) -> QuerySet[Diagnosis]:
        return diagnosis_list(client=client)

    def narrow(self, qs: QuerySet[Diagnosis], params: Any) -> QuerySet[Diagnosis]:
        return _conditions(qs, params)

    def build(self, obj: Diagnosis, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _condition(obj, gate)


class _ResponseView(_ClientResourceView):
    """Instrument responses, read as Observations (the total) or QuestionnaireResponses
    (item by item)."""

    object_type = "assessments.instrumentresponse"

    def in_reach(self) -> QuerySet[InstrumentResponse]:
        return response_list_in_reach(user=self.user).select_related("client__team")

    def of_client(self, client: Client) -> QuerySet[InstrumentResponse]:
        return response_list(client=client).order_by("-administered_at", "-pk")


class ObservationView(_ResponseView):
    kind = "Observation"

    def narrow(self, qs: QuerySet[InstrumentResponse], params: Any) -> QuerySet[InstrumentResponse]:
        return _observations(qs, params)

    def build(
        self, obj: InstrumentResponse, gate: Part2Gate, client: Client
    ) -> dict[str, Any] | None:
        return _observation(obj, gate)


class ConsentView(_ClientResourceView):
    kind = "Consent"
    object_type = "clients.consent"

    def in_reach(self) -> QuerySet[Consent]:
        return consent_list_in_reach(user=self.user)

    def of_client(self, client: Client) -> QuerySet[Consent]:
        return consent_list(client=client)

    def narrow(self, qs: QuerySet[Consent], params: Any) -> QuerySet[Consent]:
        return _consents(qs, params)

    def build(self, obj: Consent, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _consent(obj, gate, client.team.local_date())


class EncounterView(_ClientResourceView):
    """Care transitions (``Encounter/{id}``) and signed contact notes
    (``Encounter/contact-{id}``): a search returns both."""

    kind = "Encounter"
    object_type = "referrals.caretransition"

    def read(self, request: Request, pk: str) -> HttpResponse:
        if not pk.startswith(resources.CONTACT_ID_PREFIX):
            return super().read(request, pk)
        note_id = pk.removeprefix(resources.CONTACT_ID_PREFIX)
        if not note_id.isdigit() or len(note_id) > 18:
            raise Http404
        note = _signed(note_list_in_reach(user=self.user)).filter(pk=int(note_id)).first()
        if note is None:
            raise Http404
        client = client_get(user=self.user, client_id=str(note.client_id))
        gate = part2_gate(user=self.user, client=client)
        with transaction.atomic():
            resource = _contact(note, gate, _part2_program(client))
            if resource is None:
                raise Http404
            disclosure = _account(user=self.user, client=client, gate=gate)
            _audit(
                request,
                client_id=client.pk,
                obj=note,
                detail={"disclosure": disclosure} if disclosure else None,
            )
        return fhir_response(resource)

    def extra_entries(self, client: Client, params: Any, gate: Part2Gate) -> list[dict[str, Any]]:
        notes = _signed(note_list(client=client))
        for lookup, day in _date_filters(params.getlist("date"), "contact_at__date").items():
            notes = notes.filter(**{lookup: day})
        sud = _part2_program(client)
        return [r for r in (_contact(n, gate, sud) for n in notes) if r is not None]

    def in_reach(self) -> QuerySet[CareTransition]:
        return transition_list(user=self.user).select_related("client__team")

    def of_client(self, client: Client) -> QuerySet[CareTransition]:
        return transition_list(user=self.user).filter(client=client)

    def narrow(self, qs: QuerySet[CareTransition], params: Any) -> QuerySet[CareTransition]:
        return _encounters(qs, params)

    def build(self, obj: CareTransition, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _encounter(obj, gate)


class CarePlanView(_ClientResourceView):
    kind = "CarePlan"
    object_type = "careplans.careplan"

    def in_reach(self) -> QuerySet[CarePlan]:
        return _with_parts(careplan_list_in_reach(user=self.user).select_related("client__team"))

    def of_client(self, client: Client) -> QuerySet[CarePlan]:
        return _with_parts(careplan_list(client=client))

    def narrow(self, qs: QuerySet[CarePlan], params: Any) -> QuerySet[CarePlan]:
        return _careplans(qs, params)

    def build(self, obj: CarePlan, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _careplan(obj, gate)


class GoalView(_ClientResourceView):
    kind = "Goal"
    object_type = "careplans.goal"

    def in_reach(self) -> QuerySet[Goal]:
        return goal_list_in_reach(user=self.user)

    def client_of(self, obj: Goal) -> Client:
        return obj.plan.client

    def of_client(self, client: Client) -> QuerySet[Goal]:
        return goal_list(client=client)

    def narrow(self, qs: QuerySet[Goal], params: Any) -> QuerySet[Goal]:
        return _goals(qs, params)

    def build(self, obj: Goal, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _goal(obj, gate)


class QuestionnaireResponseView(_ResponseView):
    kind = "QuestionnaireResponse"

    def narrow(self, qs: QuerySet[InstrumentResponse], params: Any) -> QuerySet[InstrumentResponse]:
        return _questionnaire_responses(qs, params)

    def build(
        self, obj: InstrumentResponse, gate: Part2Gate, client: Client
    ) -> dict[str, Any] | None:
        return _questionnaire_response(obj, gate)


class QuestionnaireView(FhirView):
    """The instrument definitions (no client data: not audited, no Part 2 gate)."""

    def get(self, request: Request, pk: str | None = None) -> HttpResponse:
        if pk is not None:
            return fhir_response(resources.questionnaire(instrument_get(pk.replace("-", "_")).code))
        wanted = set(filter(None, request.query_params.get("_id", "").split(",")))
        entries = [
            resources.questionnaire(d.code)
            for d in instrument_list()
            if not wanted or resources.questionnaire_id(d.code) in wanted
        ]
        return fhir_response(resources.bundle(entries, kind="searchset", base=self.base_url()))


class ServiceRequestView(_ClientResourceView):
    kind = "ServiceRequest"
    object_type = "referrals.referral"

    def in_reach(self) -> QuerySet[Referral]:
        return referral_list(user=self.user).select_related("client__team")

    def of_client(self, client: Client) -> QuerySet[Referral]:
        return referrals_for_client(client=client)

    def narrow(self, qs: QuerySet[Referral], params: Any) -> QuerySet[Referral]:
        return _service_requests(qs, params)

    def build(self, obj: Referral, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _service_request(obj, gate)


class TaskView(_ClientResourceView):
    """``Task``: each referral's fulfilment (SDOHCC Task For Referral Management)."""

    kind = "Task"
    object_type = "referrals.referral_task"

    def in_reach(self) -> QuerySet[Referral]:
        return referral_list(user=self.user).select_related("client__team")

    def of_client(self, client: Client) -> QuerySet[Referral]:
        return referrals_for_client(client=client)

    def narrow(self, qs: QuerySet[Referral], params: Any) -> QuerySet[Referral]:
        return _tasks(qs, params)

    def build(self, obj: Referral, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _task(obj, gate)


class RelatedPersonView(_ClientResourceView):
    """``RelatedPerson``: the client's family and collateral contacts."""

    kind = "RelatedPerson"
    object_type = "clients.relatedperson"

    def in_reach(self) -> QuerySet[RelatedPerson]:
        return related_person_list_in_reach(user=self.user)

    def of_client(self, client: Client) -> QuerySet[RelatedPerson]:
        return related_person_list(client=client)

    def build(self, obj: RelatedPerson, gate: Part2Gate, client: Client) -> dict[str, Any] | None:
        return _related_person(obj, gate)


class CareTeamView(FhirView):
    """``CareTeam/{id}`` (the id is the client's) and ``CareTeam?patient=``."""

    def get(self, request: Request, pk: str | None = None) -> HttpResponse:
        client = client_get(user=self.user, client_id=pk) if pk else _search_client(request)
        gate = part2_gate(user=self.user, client=client)
        status = request.query_params.get("status", "")
        with transaction.atomic():
            resource = _careteam(client, care_team_list(client=client), gate)
            disclosure = _account(user=self.user, client=client, gate=gate)
            _audit(
                request,
                client_id=client.pk,
                object_type="clients.careteammember_list",
                detail={"disclosure": disclosure} if disclosure else None,
            )
        if pk:
            if resource is None:
                raise Http404
            return fhir_response(resource)
        entries = [resource] if resource and status in ("", resource["status"]) else []
        return fhir_response(resources.bundle(entries, kind="searchset", base=self.base_url()))


class EpisodeOfCareView(FhirView):
    """``EpisodeOfCare/{id}`` (the id is the client's) and ``EpisodeOfCare?patient=``: the
    client's enrolment with the team, from referral to discharge."""

    def get(self, request: Request, pk: str | None = None) -> HttpResponse:
        client = client_get(user=self.user, client_id=pk) if pk else _search_client(request)
        _audit(request, client_id=client.pk, obj=client, object_type="clients.client_episode")
        resource = resources.episode_of_care(client)
        if pk:
            return fhir_response(resource)
        return fhir_response(resources.bundle([resource], kind="searchset", base=self.base_url()))


class PatientEverything(FhirView):
    """``Patient/{id}/$everything``: the patient and every resource served about them,
    as a searchset Bundle, in a fixed number of queries whatever the history's size."""

    def get(self, request: Request, pk: str) -> HttpResponse:
        client = client_get(user=self.user, client_id=pk)
        gate = part2_gate(user=self.user, client=client)
        on = client.team.local_date()
        responses = response_list(client=client).order_by("-administered_at", "-pk")
        referrals = list(referrals_for_client(client=client))
        diagnoses = list(diagnosis_list(client=client))
        builders: list[Callable[[], Iterable[dict[str, Any] | None]]] = [
            lambda: (_condition(d, gate) for d in diagnoses),
            lambda: (_observation(r, gate) for r in responses),
            lambda: (_questionnaire_response(r, gate) for r in responses),
            lambda: (_consent(c, gate, on) for c in consent_list(client=client)),
            lambda: (
                _encounter(t, gate) for t in transition_list(user=self.user).filter(client=client)
            ),
            lambda: (_careplan(p, gate) for p in _with_parts(careplan_list(client=client))),
            lambda: (_goal(g, gate) for g in goal_list(client=client)),
            lambda: [_careteam(client, care_team_list(client=client), gate)],
            lambda: (_service_request(r, gate) for r in referrals),
            lambda: (_task(r, gate) for r in referrals),
            lambda: (
                _contact(n, gate, any(part2.diagnosis_is_part2(d) for d in diagnoses))
                for n in _signed(note_list(client=client))
            ),
            lambda: (_related_person(p, gate) for p in related_person_list(client=client)),
        ]
        with transaction.atomic():
            entries = [resources.patient(client), resources.episode_of_care(client)]
            for build in builders:
                entries.extend(r for r in build() if r is not None)
            disclosure = _account(user=self.user, client=client, gate=gate)
            _audit(
                request,
                client_id=client.pk,
                obj=client,
                object_type="clients.client_everything",
                detail={"disclosure": disclosure} if disclosure else None,
            )
        return fhir_response(resources.bundle(entries, kind="searchset", base=self.base_url()))


__all__ = [
    "RelatedPersonView",
    "ServiceRequestView",
    "TaskView",
    "EpisodeOfCareView",
    "CareTeamView",
    "CarePlanView",
    "EncounterView",
    "GoalView",
    "ConditionView",
    "ConsentView",
    "Metadata",
    "ObservationView",
    "PatientEverything",
    "PatientRead",
    "PatientSearch",
    "QuestionnaireResponseView",
    "QuestionnaireView",
]
