"""The client's pages: no account, one link, nothing else of the record.

``/p/<token>/`` checks the token, keeps the link's id in the session (a fresh session
key) and moves to ``/p/`` so the token leaves the address bar and the browser history.
``/p/`` asks for the date of birth; after it the session may see only its own link's
pages: the check-in questions one at a time, the help page, or the plan pages. Every
page is rendered in the client's language (``translation.override``) and sent with
``Referrer-Policy: same-origin``: no address of ours goes to another site (no-referrer
would make browsers send ``Origin: null`` on the forms, which CSRF refuses).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from careplans.selectors import careplan_active, careplan_full, safety_plan_current
from careplans.services import careplan_print, safety_plan_print
from casemgmt.lib.addresses import client_address
from casemgmt.lib.errors import Conflict
from clients.models import CareTeamMember

from . import services
from .language import PORTAL_LANGUAGES, language_for
from .models import CheckIn, CheckInResult, LinkPurpose, PortalLink
from .questions import (
    Part,
    answers_list,
    choice_for,
    instrument_part,
    is_risk_answer,
    next_question,
    question_set_part,
)
from .selectors import next_appointment, portal_link_get

SESSION_LINK = "portal_link"
SESSION_OK = "portal_ok"
SESSION_ANSWERS = "portal_answers"
SESSION_LANG = "portal_lang"
SESSION_RISK = "portal_risk"

CLOSED_STATUS = {"unknown": 404, "expired": 410, "revoked": 410, "completed": 410}


def _language(request: HttpRequest, link: PortalLink | None) -> str:
    chosen = request.session.get(SESSION_LANG)
    if chosen in PORTAL_LANGUAGES:
        return chosen
    return language_for(link.client.preferred_language) if link is not None else "en"


def _page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    link: PortalLink | None = None,
    status: int = 200,
) -> HttpResponse:
    language = _language(request, link)
    with translation.override(language):
        response = render(
            request,
            template,
            {
                "language": language,
                "languages": PORTAL_LANGUAGES,
                "verified": link is not None and request.session.get(SESSION_OK) == link.pk,
                **(context or {}),
            },
            status=status,
        )
    response["Content-Language"] = language
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request: HttpRequest, link: PortalLink | None = None) -> HttpResponse:
    return _page(request, "portal/closed.html", {"state": "throttled"}, link=link, status=429)


def _session_link(request: HttpRequest) -> PortalLink | None:
    link = portal_link_get(link_id=request.session.get(SESSION_LINK))
    if link is None:
        return None
    return link


def _verified(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The session's link, its date of birth confirmed, still open; else back to the
    start (or the closed page). Counts the request against the link's rate."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        link = _session_link(request)
        if link is None:
            return _page(request, "portal/closed.html", {"state": "unknown"}, status=404)
        if services.throttled(address=client_address(request), link_id=link.pk):
            return _too_many(request, link)
        state = services.link_state(link).state
        if state != "ok":
            return _closed(request, link, state)
        if request.session.get(SESSION_OK) != link.pk:
            return redirect("portal:home")
        return view(request, link, *args, **kwargs)

    return wrapper


def _closed(request: HttpRequest, link: PortalLink | None, state: str) -> HttpResponse:
    request.session.pop(SESSION_OK, None)
    return _page(
        request,
        "portal/closed.html",
        {"state": state},
        link=link,
        status=CLOSED_STATUS.get(state, 403),
    )


# ---------------------------------------------------------------------------- opening
@require_http_methods(["GET"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """The address in the message. A used, expired or withdrawn link says so, and never
    whose it was."""
    if services.throttled(address=client_address(request)):
        return _too_many(request)
    link = services.link_find(token)
    state = services.link_state(link).state
    if link is None or state != "ok":
        return _closed(request, link, state)
    if services.throttled(address=None, link_id=link.pk):
        return _too_many(request, link)
    request.session.cycle_key()
    for key in (SESSION_OK, SESSION_ANSWERS, SESSION_RISK):
        request.session.pop(key, None)
    request.session[SESSION_LINK] = link.pk
    return _private(HttpResponseRedirect(reverse("portal:home")))


def _dob(data: Any) -> tuple[date | None, dict[str, str]]:
    errors: dict[str, str] = {}
    values = {}
    for name, low, high in (("month", 1, 12), ("day", 1, 31), ("year", 1900, 2100)):
        raw = (data.get(name) or "").strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[name] = {
                "month": _("Choose the month."),
                "day": _("Enter the day, a number from 1 to 31."),
                "year": _("Enter the year with 4 digits, for example 1984."),
            }[name]
        else:
            values[name] = int(raw)
    if errors:
        return None, errors
    try:
        return date(values["year"], values["month"], values["day"]), {}
    except ValueError:
        return None, {"day": _("This month has no such day.")}


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The date of birth, then on to the check-in or the plan."""
    link = _session_link(request)
    if link is None:
        return _page(request, "portal/closed.html", {"state": "unknown"}, status=404)
    if services.throttled(address=client_address(request), link_id=link.pk):
        return _too_many(request, link)
    state = services.link_state(link).state
    if state != "ok":
        return _closed(request, link, state)
    if request.session.get(SESSION_OK) == link.pk:
        return redirect(_start_of(link))
    errors: dict[str, str] = {}
    wrong = False
    if request.method == "POST":
        dob, errors = _dob(request.POST)
        if not errors:
            outcome = services.link_confirm_dob(link=link, date_of_birth=dob)
            if outcome == "ok":
                request.session.cycle_key()
                request.session[SESSION_OK] = link.pk
                return redirect(_start_of(link))
            if outcome == "wrong":
                wrong = True
            else:
                return _closed(request, link, outcome)
    months = [(n, _month(n)) for n in range(1, 13)]
    return _page(
        request,
        "portal/dob.html",
        {
            "errors": errors,
            "wrong": wrong,
            "months": months,
            "data": request.POST if request.method == "POST" else {},
            "purpose": link.purpose,
        },
        link=link,
        status=400 if errors or wrong else 200,
    )


def _month(number: int) -> Any:
    from django.utils.dates import MONTHS

    return MONTHS[number]  # lazy: translated when the page renders in its language


def _start_of(link: PortalLink) -> str:
    if link.purpose == LinkPurpose.PLAN:
        return reverse("portal:plan")
    return reverse("portal:question")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switch on every page (kept for this session only)."""
    chosen = request.POST.get("language")
    if chosen in PORTAL_LANGUAGES:
        request.session[SESSION_LANG] = chosen
    back = request.POST.get("next") or ""
    if not back.startswith("/p/") or "//" in back:
        back = reverse("portal:home")
    return _private(HttpResponseRedirect(back))


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    """Close the page: this browser forgets the link (the link itself still works)."""
    if request.method == "POST":
        for key in (SESSION_LINK, SESSION_OK, SESSION_ANSWERS, SESSION_RISK):
            request.session.pop(key, None)
        return _page(request, "portal/closed.html", {"state": "left"})
    return redirect("portal:home")


# --------------------------------------------------------------------------- check-in
def _parts(checkin: CheckIn, language: str) -> list[Part]:
    parts = [instrument_part(code, language) for code in checkin.instruments]
    if checkin.question_set is not None:
        parts.append(question_set_part(checkin.question_set, language))
    return parts


def _checkin(link: PortalLink) -> CheckIn:
    return CheckIn.objects.select_related("question_set", "client", "link").get(link=link)


def _stored(request: HttpRequest, checkin: CheckIn) -> dict[str, dict[int, Any]]:
    raw = request.session.get(SESSION_ANSWERS) or {}
    if raw.get("checkin") != checkin.pk:
        return {}
    return {part: {int(k): v for k, v in items.items()} for part, items in raw["parts"].items()}


def _store(request: HttpRequest, checkin: CheckIn, answers: dict[str, dict[int, Any]]) -> None:
    request.session[SESSION_ANSWERS] = {
        "checkin": checkin.pk,
        "parts": {part: {str(k): v for k, v in items.items()} for part, items in answers.items()},
    }


@require_http_methods(["GET", "POST"])
@_verified
def question(request: HttpRequest, link: PortalLink) -> HttpResponse:
    """One question at a time. An answer is kept in the session until its instrument is
    complete, then recorded (once: a repeat finds it recorded and moves on)."""
    if link.purpose != LinkPurpose.CHECKIN:
        return redirect("portal:home")
    checkin = _checkin(link)
    language = _language(request, link)
    with translation.override(language):
        parts = _parts(checkin, language)
    done = set(CheckInResult.objects.filter(checkin=checkin).values_list("part", flat=True))
    answers = _stored(request, checkin)
    current = next((p for p in parts if p.key not in done), None)
    if current is None:
        return redirect("portal:done")
    given = answers.setdefault(current.key, {})
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "back":
            if given:
                given.pop(max(given))
                _store(request, checkin, answers)
            return redirect("portal:question")
        asked = next_question(current, given)
        number = request.POST.get("item", "")
        if request.POST.get("part") != current.key or asked is None or number != str(asked.number):
            # An answer to a question already answered (double submit, Back): kept once.
            return redirect("portal:question")
        choice = choice_for(asked, request.POST.get("answer", ""))
        if choice is None:
            error = _("Choose one of the answers, then press Next.")
        else:
            given[asked.number] = choice.value
            _store(request, checkin, answers)
            risk = is_risk_answer(asked, choice.value)
            if next_question(current, given) is None:
                try:
                    services.checkin_part_record(
                        checkin=checkin, part=current.key, answers=answers_list(current, given)
                    )
                except ValidationError:
                    given.clear()
                    _store(request, checkin, answers)
                    error = _(
                        "Some answers could not be read. Please answer these questions again."
                    )
                except Conflict:
                    return _closed(request, link, "revoked")
                else:
                    answers.pop(current.key, None)
                    _store(request, checkin, answers)
            if risk:
                request.session[SESSION_RISK] = True
                return redirect("portal:help")
            if not error:
                return redirect("portal:question")
    asked = next_question(current, given)
    if asked is None:  # recorded meanwhile by another tab
        return redirect("portal:question")
    asked_numbers = [q.number for q in current.questions if q.number in given or q is asked]
    position = len(asked_numbers)
    total_questions = sum(len(p.questions) for p in parts)
    answered_before = sum(len(p.questions) for p in parts if p.key in done)
    return _page(
        request,
        "portal/question.html",
        {
            "part": current,
            "question": asked,
            "error": error,
            "position": position,
            "count": len(current.questions),
            "progress": round(100 * (answered_before + position - 1) / max(total_questions, 1)),
            "can_go_back": bool(given),
            "part_number": [p.key for p in parts].index(current.key) + 1,
            "part_count": len(parts),
        },
        link=link,
        status=400 if error else 200,
    )


def _safety_context(link: PortalLink) -> dict[str, Any]:
    safety_plan = safety_plan_current(client=link.client)
    return {"safety_plan": safety_plan}


@require_http_methods(["GET"])
def help_now(request: HttpRequest) -> HttpResponse:
    """What to do now: 911, 988 (call or text; Spanish options), and, once the date of
    birth is confirmed, the client's own safety plan. Open to anyone with the session
    (the crisis lines are public); the safety plan only after the date of birth."""
    link = _session_link(request)
    verified = link is not None and request.session.get(SESSION_OK) == link.pk
    context: dict[str, Any] = {"risk": bool(request.session.get(SESSION_RISK))}
    if verified and link is not None:
        context.update(_safety_context(link))
        services.portal_read_audit(link=link, what="help")
        if link.purpose == LinkPurpose.CHECKIN:
            checkin = _checkin(link)
            done = set(CheckInResult.objects.filter(checkin=checkin).values_list("part", flat=True))
            context["more_questions"] = not set(checkin.parts) <= done
    return _page(request, "portal/help.html", context, link=link)


def _done(request: HttpRequest, link: PortalLink) -> HttpResponse:
    return _page(
        request,
        "portal/done.html",
        {"risk": bool(request.session.get(SESSION_RISK))},
        link=link,
    )


@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    link = _session_link(request)
    if link is None or request.session.get(SESSION_OK) != link.pk:
        return _page(request, "portal/closed.html", {"state": "unknown"}, status=404)
    return _done(request, link)


# ------------------------------------------------------------------------------ plan
def _plan_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, link: PortalLink, *args: Any, **kwargs: Any) -> Any:
        if link.purpose != LinkPurpose.PLAN:
            return redirect("portal:home")
        return view(request, link, *args, **kwargs)

    return wrapper


@require_http_methods(["GET"])
@_verified
@_plan_link
def plan(request: HttpRequest, link: PortalLink) -> HttpResponse:
    """The current plan's client copy and the safety plan; nothing else of the record."""
    client = link.client
    active = careplan_active(client=client)
    plan = careplan_full(type(active).objects.filter(pk=active.pk)).get() if active else None
    care_team = list(
        CareTeamMember.objects.filter(client=client, ended_on__isnull=True).select_related("user")
    )
    services.portal_read_audit(link=link, what="plan")
    with client.team.local_time():
        return _page(
            request,
            "portal/plan.html",
            {
                "plan": plan,
                "goals": list(plan.goals.all()) if plan else [],
                "care_team": care_team,
                "today": timezone.localdate(),
                "next_appointment": next_appointment(client=client),
                **_safety_context(link),
            },
            link=link,
        )


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@require_http_methods(["GET"])
@_verified
@_plan_link
def plan_pdf(request: HttpRequest, link: PortalLink) -> HttpResponse:
    active = careplan_active(client=link.client)
    if active is None:
        return redirect("portal:plan")
    plan = careplan_full(type(active).objects.filter(pk=active.pk)).get()
    paper = "a4" if request.GET.get("paper") == "a4" else "letter"
    content = careplan_print(
        actor=None,
        plan=plan,
        copy="client",
        paper=paper,
        language=_language(request, link),
        via="portal",
    )
    return _pdf(content, "my-care-plan.pdf")


@require_http_methods(["GET"])
@_verified
@_plan_link
def safety_pdf(request: HttpRequest, link: PortalLink) -> HttpResponse:
    safety_plan = safety_plan_current(client=link.client)
    if safety_plan is None:
        return redirect("portal:plan")
    paper = "a4" if request.GET.get("paper") == "a4" else "letter"
    content = safety_plan_print(
        actor=None,
        client=link.client,
        safety_plan=safety_plan,
        paper=paper,
        language=_language(request, link),
        via="portal",
    )
    return _pdf(content, "my-safety-plan.pdf")
