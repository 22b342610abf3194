from rest_framework.routers import SimpleRouter

from .views import BranchViewSet, CadreViewSet, PostViewSet, RegistrationViewSet, WorkUnitViewSet

router = SimpleRouter()
router.register("work-units", WorkUnitViewSet, basename="work-unit")
router.register("cadres", CadreViewSet, basename="cadre")
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("posts", PostViewSet, basename="post")
router.register("branches", BranchViewSet, basename="branch")
