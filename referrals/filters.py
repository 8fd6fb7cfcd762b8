"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django import forms

from casemgmt.lib.forms import StyledForm

from .models import (
    FollowUpReason,
    FollowUpStatus,
    LevelOfCare,
    Measure,
    ReferralStatus,
    ServiceCategory,
    ServiceStatus,
    Urgency,
)


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Search", help_text="Name, organisation, eligibility, address"
    )
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, empty_label="Any")
    language = django_filters.CharFilter(method="by_language", label="Language")
    status = django_filters.ChoiceFilter(choices=ServiceStatus.choices, empty_label="Any")

    class Meta:
        form = StyledForm
        fields: list[str] = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        for word in value.split():
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(organization__name__icontains=word)
                | Q(eligibility__icontains=word)
                | Q(address__icontains=word)
            )
        return queryset

    def by_language(self, queryset, name, value):
        return queryset.filter(languages__contains=[value.strip().title()]) if value else queryset


class OrganizationFilter(django_filters.FilterSet):
    """Directory organisations, with the services' filters: an organisation matches when
    one of its services does (category, language, status); ``q`` searches the
    organisation's name and description and its services' names."""

    q = django_filters.CharFilter(
        method="search", label="Search", help_text="Name, description, its services' names"
    )
    category = django_filters.ChoiceFilter(
        choices=ServiceCategory.choices, empty_label="Any", method="by_service"
    )
    language = django_filters.CharFilter(method="by_service", label="Language")
    status = django_filters.ChoiceFilter(
        choices=ServiceStatus.choices, empty_label="Any", method="by_service"
    )

    class Meta:
        form = StyledForm
        fields: list[str] = []

    def search(self, queryset, name, value):
        from django.db.models import Exists, OuterRef, Q

        from .models import Service

        for word in value.split():
            named = Service.objects.filter(organization=OuterRef("pk"), name__icontains=word)
            queryset = queryset.filter(
                Q(name__icontains=word) | Q(description__icontains=word) | Exists(named)
            )
        return queryset

    def by_service(self, queryset, name, value):
        from django.db.models import Exists, OuterRef

        from .models import Service

        if not value:
            return queryset
        if name == "language":
            match = {"languages__contains": [value.strip().title()]}
        else:
            match = {name: value}
        return queryset.filter(Exists(Service.objects.filter(organization=OuterRef("pk"), **match)))


class ReferralFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    status = django_filters.MultipleChoiceFilter(
        choices=ReferralStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, empty_label="Any")
    category = django_filters.ChoiceFilter(
        field_name="service__category", choices=ServiceCategory.choices, empty_label="Any"
    )
    open = django_filters.BooleanFilter(method="only_open", label="Open only")

    class Meta:
        form = StyledForm
        fields: list[str] = []

    def only_open(self, queryset, name, value):
        from .models import CLOSED_REFERRAL_STATUSES

        if value is None:
            return queryset
        closed = list(CLOSED_REFERRAL_STATUSES)
        return queryset.exclude(status__in=closed) if value else queryset.filter(status__in=closed)


class TransitionFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    measure = django_filters.ChoiceFilter(choices=Measure.choices, empty_label="Any")
    from_level = django_filters.ChoiceFilter(choices=LevelOfCare.choices, empty_label="Any")
    discharged_after = django_filters.DateFilter(field_name="discharged_on", lookup_expr="gte")
    discharged_before = django_filters.DateFilter(field_name="discharged_on", lookup_expr="lte")

    class Meta:
        form = StyledForm
        fields: list[str] = []


class FollowUpFilter(django_filters.FilterSet):
    client = django_filters.NumberFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices, empty_label="Any")
    reason = django_filters.ChoiceFilter(choices=FollowUpReason.choices, empty_label="Any")
    mine = django_filters.BooleanFilter(method="only_mine", label="Assigned to me")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")

    class Meta:
        form = StyledForm
        fields: list[str] = []

    def only_mine(self, queryset, name, value):
        return queryset.filter(assignee=self.request.user) if value else queryset
