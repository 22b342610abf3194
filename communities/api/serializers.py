from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Area, Building, Estate, Grid, Unit


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Accepts only rows the requesting user may attach to; any other id reads as unknown."""

    def __init__(self, *, scope: str = "editable_by", **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        user = self.context["request"].user
        return getattr(super().get_queryset(), self.scope)(user)


class AreaSerializer(serializers.ModelSerializer):
    parent = ScopedPrimaryKeyRelatedField(
        queryset=Area.objects.all(), scope="visible_to", allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = ["id", "name", "level", "parent", "path"]
        # The model's constraints (checked by the service) are the one source of these rules.
        validators = []
        read_only_fields = ["path"]


class EstateSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), scope="hosting_for")

    class Meta:
        model = Estate
        fields = ["id", "community", "name", "kind"]
        validators = []


class BuildingSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), scope="hosting_for")
    estate = ScopedPrimaryKeyRelatedField(
        queryset=Estate.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Building
        fields = ["id", "community", "estate", "name"]
        validators = []


class UnitSerializer(serializers.ModelSerializer):
    building = ScopedPrimaryKeyRelatedField(queryset=Building.objects.all())
    households = serializers.IntegerField(
        min_value=0,
        required=False,
        error_messages={"min_value": _("Households cannot be negative.")},
    )

    class Meta:
        model = Unit
        fields = ["id", "building", "number", "households"]
        validators = []


class GridSerializer(serializers.ModelSerializer):
    community = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), scope="hosting_for")
    buildings = ScopedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), many=True, required=False
    )

    class Meta:
        model = Grid
        fields = ["id", "community", "name", "buildings"]
        validators = []
