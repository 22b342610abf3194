"""Gathers every app's API routes under /api/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from appraisal.api.urls import router as appraisal_router
from cadres.api.urls import router as cadres_router
from communities.api.auth import ObtainTokenView
from communities.api.urls import router as communities_router
from supervision.api.urls import router as supervision_router
from supplies.api.urls import router as supplies_router

router = DefaultRouter()
router.registry.extend(communities_router.registry)
router.registry.extend(cadres_router.registry)
router.registry.extend(supervision_router.registry)
router.registry.extend(supplies_router.registry)
router.registry.extend(appraisal_router.registry)

app_name = "api"

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
