from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from communities import services
from communities.filters import (
    AreaFilterSet,
    BuildingFilterSet,
    EstateFilterSet,
    GridFilterSet,
    UnitFilterSet,
)
from communities.models import Area, Building, Estate, Grid, Unit

from .permissions import AdminWritable, PlacesWritable
from .serializers import (
    AreaSerializer,
    BuildingSerializer,
    EstateSerializer,
    GridSerializer,
    UnitSerializer,
)


class ScopedViewSet(viewsets.ModelViewSet):
    """Every read starts from `visible_to(user)`, so an object out of scope is a 404; every
    write goes through a service of the app (`write`)."""

    permission_classes = [IsAuthenticated, PlacesWritable]
    # Validated fields that are not model fields; they are handed to `write` by name.
    extra_fields: tuple[str, ...] = ()

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)

    def write(self, instance, **extra):
        return services.place_save(actor=self.request.user, place=instance)

    def save(self, instance, data: dict):
        extra = {name: data.pop(name, None) for name in self.extra_fields}
        for field, value in data.items():
            setattr(instance, field, value)
        return self.write(instance, **extra)

    def perform_create(self, serializer):
        model = serializer.Meta.model
        serializer.instance = self.save(model(), dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = self.save(serializer.instance, dict(serializer.validated_data))

    def perform_destroy(self, instance):
        services.place_delete(actor=self.request.user, place=instance)


class AreaViewSet(ScopedViewSet):
    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    permission_classes = [IsAuthenticated, AdminWritable]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def write(self, instance, **extra):
        return services.area_save(actor=self.request.user, area=instance)


class EstateViewSet(ScopedViewSet):
    queryset = Estate.objects.all()
    serializer_class = EstateSerializer
    filterset_class = EstateFilterSet


class BuildingViewSet(ScopedViewSet):
    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet


class UnitViewSet(ScopedViewSet):
    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class GridViewSet(ScopedViewSet):
    queryset = Grid.objects.prefetch_related("buildings")
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    extra_fields = ("buildings",)

    def write(self, instance, *, buildings=None):
        return services.grid_save(actor=self.request.user, grid=instance, buildings=buildings)
