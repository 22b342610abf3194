from rest_framework.routers import SimpleRouter

from .views import AreaViewSet, BuildingViewSet, EstateViewSet, GridViewSet, UnitViewSet

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("estates", EstateViewSet, basename="estate")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("grids", GridViewSet, basename="grid")
