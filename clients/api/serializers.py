from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casemgmt.accounts.models import Team, User

from ..models import Client, ClientStatus


class ClientSerializer(serializers.ModelSerializer):
    """What the API returns for a client."""

    team_name = serializers.CharField(source="team.name", read_only=True)
    primary_case_manager_name = serializers.SerializerMethodField()
    display_name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "client_number",
            "first_name",
            "last_name",
            "preferred_name",
            "display_name",
            "date_of_birth",
            "age",
            "status",
            "team",
            "team_name",
            "primary_case_manager",
            "primary_case_manager_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_primary_case_manager_name(self, client: Client) -> str | None:
        manager = client.primary_case_manager
        return manager.display_name if manager else None


class ClientInputSerializer(serializers.Serializer):
    """What the API accepts; types only, the rules are in ``clients.services``."""

    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    date_of_birth = serializers.DateField()
    status = serializers.ChoiceField(choices=ClientStatus.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())
    primary_case_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
