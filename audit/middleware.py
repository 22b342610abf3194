"""Carries who, from where and which URL into the audit trail's triggers.

The API authenticates by token inside Django REST framework, after every middleware: DRF then
sets `request.user` on the Django request too (`Request.user`'s setter). The request's class is
swapped for one whose `user` assignment updates the context, so an API write carries the
token's user. (pghistory's own middleware does the same for the user id; ours also records the
username, the address and the method.)
"""

import pghistory
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest

from audit.context import client_address, user_context

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class _ContextUserRequest:
    def __setattr__(self, attr, value):
        if attr == "user":
            pghistory.context(**user_context(value))
        super().__setattr__(attr, value)


class _WSGIRequest(_ContextUserRequest, WSGIRequest):
    pass


class _ASGIRequest(_ContextUserRequest, ASGIRequest):
    pass


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Reads write nothing of interest; leaving them alone keeps their SQL untouched.
        if request.method not in WRITE_METHODS:
            return self.get_response(request)
        metadata = {
            **user_context(getattr(request, "user", None)),
            "address": client_address(request),
            "method": request.method,
            "url": request.get_full_path()[:2000],
        }
        with pghistory.context(**metadata):
            if isinstance(request, WSGIRequest):
                request.__class__ = _WSGIRequest
            elif isinstance(request, ASGIRequest):  # pragma: no cover - served by WSGI
                request.__class__ = _ASGIRequest
            return self.get_response(request)
