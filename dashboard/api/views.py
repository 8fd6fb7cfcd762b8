"""``/api/v1/dashboard/...``: the same figures as the pages, with the same filters
(team, program, case_manager, start, end); a filter that does not validate is a 400
naming it."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from casemgmt.audit.models import AuditAction
from casemgmt.audit.services import audit_record

from .. import metrics
from ..selectors import TODAY_SECTIONS, caseload_rows, today_for
from ..urgency import SECTION_LABELS
from ..views import _filtered, measures_data

FILTERS = [
    OpenApiParameter("team", int),
    OpenApiParameter("program", str, description="a team's program (Team.program)"),
    OpenApiParameter("case_manager", int),
    OpenApiParameter("start", str, description="YYYY-MM-DD"),
    OpenApiParameter("end", str, description="YYYY-MM-DD"),
]


class TodayItemSerializer(serializers.Serializer):
    """One line of a Today section (the schema of ``today``)."""

    client = serializers.IntegerField()
    what = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    when = serializers.CharField()
    overdue = serializers.BooleanField()
    link = serializers.CharField()
    why = serializers.CharField(
        help_text="Why an imminent-risk or transition line is on top (empty otherwise)."
    )


class DashboardViewSet(viewsets.ViewSet):
    """Team caseload figures and quality measures (supervisors and admins; others 403),
    and the caller's Today list."""

    @extend_schema(
        parameters=FILTERS,
        responses=inline_serializer(
            "CaseloadRow",
            {
                "case_manager": serializers.IntegerField(),
                "case_manager_name": serializers.CharField(),
                **{m.key: serializers.IntegerField() for m in metrics.METRICS},
            },
            many=True,
        ),
    )
    def caseload(self, request):
        _, _, scope = _filtered(request, strict=True)
        rows = caseload_rows(scope=scope, sort=request.query_params.get("sort", ""))
        audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.team")
        return Response(
            [
                {
                    "case_manager": r.case_manager.pk,
                    "case_manager_name": r.case_manager.display_name,
                    **{m.key: r.get(m.key) for m in metrics.METRICS},
                }
                for r in rows
            ]
        )

    @extend_schema(
        parameters=FILTERS,
        responses=inline_serializer(
            "Measure",
            {
                "key": serializers.CharField(),
                "label": serializers.CharField(),
                "definition": serializers.CharField(),
                "numerator": serializers.IntegerField(),
                "denominator": serializers.IntegerField(),
                "rate": serializers.FloatField(allow_null=True),
                "note": serializers.CharField(),
                "gap": serializers.CharField(help_text="who the drill-down lists; '' for none"),
                "gap_count": serializers.IntegerField(),
            },
            many=True,
        ),
    )
    def measures(self, request):
        data = measures_data(request, strict=True)
        audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.measures")
        return Response(
            [
                {
                    "key": m.key,
                    "label": m.label,
                    "definition": m.definition,
                    "numerator": m.numerator,
                    "denominator": m.denominator,
                    "rate": m.rate,
                    "note": m.note,
                    "gap": m.gap,
                    "gap_count": m.gap_count if m.gap else 0,
                }
                for m in data["measures"]
            ]
        )

    @extend_schema(
        # An object of sections (imminent, transition, overdue, due_today, ...), each a
        # list of lines, in the urgency order (dashboard.urgency).
        responses=inline_serializer(
            "Today",
            {name: TodayItemSerializer(many=True) for name in (*SECTION_LABELS, *TODAY_SECTIONS)},
        )
    )
    def today(self, request):
        sections = today_for(user=request.user).sections
        audit_record(user=request.user, action=AuditAction.VIEW, object_type="dashboard.today")
        return Response(
            {
                name: [
                    {
                        "client": i.client.pk,
                        "what": i.what,
                        "due": i.due,
                        "when": i.when,
                        "overdue": i.overdue,
                        "link": i.link,
                        "why": i.why,
                    }
                    for i in items
                ]
                for name, items in sections.items()
            }
        )
