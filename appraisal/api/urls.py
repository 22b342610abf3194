from rest_framework.routers import DefaultRouter

from .views import AppraisalViewSet, CommendationViewSet, PeriodViewSet, QuotaViewSet

router = DefaultRouter()
router.register("appraisal-periods", PeriodViewSet, basename="appraisal-period")
router.register("appraisals", AppraisalViewSet, basename="appraisal")
router.register("appraisal-quotas", QuotaViewSet, basename="appraisal-quota")
router.register("commendations", CommendationViewSet, basename="commendation")
