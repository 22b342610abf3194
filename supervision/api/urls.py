from rest_framework.routers import SimpleRouter

from .views import DailyReportViewSet, MeasureViewSet, ProblemViewSet, TeamViewSet

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("daily-reports", DailyReportViewSet, basename="daily-report")
router.register("measures", MeasureViewSet, basename="measure")
router.register("problems", ProblemViewSet, basename="problem")
