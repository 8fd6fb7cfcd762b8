import django_filters

from casemgmt.accounts.models import User
from casemgmt.lib.forms import StyledForm

from .models import AuditAction, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label="User")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    client_id = django_filters.NumberFilter(label="Client id")
    object_type = django_filters.CharFilter(lookup_expr="iexact", label="Object type")
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", label="From"
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", label="Until"
    )

    class Meta:
        model = AuditEvent
        fields = ["user", "action", "client_id", "object_type"]
        form = StyledForm
