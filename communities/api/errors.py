"""One exception handler for the whole API: every error is JSON with field messages."""

import logging

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from communities.unavailable import (
    RETRY_AFTER_SECONDS,
    is_database_unavailable,
    unavailable_detail,
)

logger = logging.getLogger("django.request")


def exception_handler(exc, context):
    """DRF's handler, plus model validation errors as 400, lost races as 409, a 404 that says
    nothing about what was looked for, and a 503 while the database cannot be reached."""
    if isinstance(exc, Http404):
        # Django's message names the model; say only "not found", in the caller's language.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        # A constraint caught what validation could not see (two writers at once).
        return Response(
            {"detail": _("The data changed meanwhile; nothing was saved. Please try again.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif is_database_unavailable(exc):
        # Restarting or out of reach: the caller should retry (the same Idempotency-Key of a
        # report answers with what was stored, if the post got through after all).
        # The answer hides it; the log keeps the exception and its trace, as Django's own
        # handler does for the pages' 503.
        logger.warning("Database error answered 503: %s", exc, exc_info=exc)
        return Response(
            {"detail": unavailable_detail()},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return drf_exception_handler(exc, context)


def bad_request(request, exception):
    """Django's 400 page (a request it refuses to read: too many form fields, a suspicious
    header …), except under /api/, where it is the API's JSON error."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.ParseError.default_detail)}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """Django's 404 page, except under /api/: there the JSON 404 of every other API answer (a
    path no route matches, such as `/api/cadres/1.5/`, would otherwise get an HTML page)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)
