from rest_framework import mixins, viewsets

from ..filters import AuditEventFilter
from ..models import AuditEvent
from ..selectors import audit_event_list
from .serializers import AuditEventSerializer


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The audit trail, read-only, for admins and auditors (others get 403)."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter

    queryset = AuditEvent.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return audit_event_list(user=self.request.user)
