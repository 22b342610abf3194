"""While the database cannot be reached: a 503 that says so, for pages and for the API.

A database restart (or a cut network) makes every query raise `OperationalError` or
`InterfaceError`, wherever it runs: in a view, in the API's token authentication, or in the
session and user look-ups that the middleware makes before any view (`LoginRequiredMiddleware`
asks whether the user is logged in). Django answers any exception that escapes a view or a
middleware with the `handler500` view, whatever the middleware order; ours, `server_error`,
recognises the database's exceptions and answers 503 with `Retry-After` instead of the 500 page.
Exceptions inside API views take DRF's path, `communities.api.errors.exception_handler`, which
answers the same JSON.

Nothing here touches the database: the page is rendered without the request, so no context
processor asks for the user or the navigation. The app needs no restart when the database comes
back: `CONN_HEALTH_CHECKS` makes a worker drop a dead persistent connection at its next request.
(With `DEBUG` on, Django shows its debug page instead, as for any other error.)
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` is the database's: out of reach, a broken connection, or one of the
    transient refusals PostgreSQL reports the same way (a deadlock, a statement cancelled at
    shutdown); each is worth trying again in a moment, none is the caller's fault. A server
    killed while a query runs comes as a bare `DatabaseError` ("server closed the connection
    unexpectedly"); its subclasses (IntegrityError, DataError …) are the statement's own fault."""
    return isinstance(error, OperationalError | InterfaceError) or type(error) is DatabaseError


def unavailable_detail() -> str:
    return _(
        "The database is out of reach or busy at the moment. Please try again in a few seconds."
    )


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503: JSON `{"detail": …}` under /api/, the friendly page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": unavailable_detail()}, status=503)
    else:
        page = render_to_string("503.html", {"detail": unavailable_detail()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """`handler500`: a 503 when the database is out of reach, Django's 500 page otherwise.

    Django calls it while it handles the exception, so `sys.exc_info()` holds it.
    """
    if is_database_unavailable(sys.exc_info()[1]):
        return unavailable_response(request)
    return default_server_error(request, template_name)
