from rest_framework.routers import SimpleRouter

from .views import AppraisalViewSet, CommendationViewSet, PeriodViewSet, QuotaViewSet

router = SimpleRouter()
router.register("appraisal-periods", PeriodViewSet, basename="appraisal-period")
router.register("appraisals", AppraisalViewSet, basename="appraisal")
router.register("appraisal-quotas", QuotaViewSet, basename="appraisal-quota")
router.register("commendations", CommendationViewSet, basename="commendation")
