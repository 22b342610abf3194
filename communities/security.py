"""Abuse protections shared by the whole site: who the client is, and the answers given when a
client is refused (login lockout, rate limit, failed CSRF check).

Each answer is a translated page for a browser and JSON for the API, and says when to retry."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout, password_validation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind `DJANGO_NUM_PROXIES` reverse proxies of
    ours the address the outermost of them saw (X-Forwarded-For read from the right, the way
    DRF's throttles read it), so a client cannot choose its address by sending the header.

    The login lockout (django-axes), the self-service rate limit and the API's throttles all
    identify a client by this one rule."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(proxies, len(hops))] if hops else remote_addr


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or request.headers.get("x-requested-with") == "XMLHttpRequest"
        or "application/json" in request.headers.get("accept", "")
    )


def _refusal(
    request: HttpRequest, *, message: str, retry_after: int, template: str
) -> HttpResponse:
    """A 429 that says why and when to retry, with a Retry-After header (seconds)."""
    if wants_json(request):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, template, {"message": message}, status=429)
    response["Retry-After"] = str(max(retry_after, 1))
    return response


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def login_cool_off() -> timedelta:
    return settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the answer to a login refused after repeated
    failures. Each refused attempt restarts the cool-off, so the time given is from now."""
    seconds = int(login_cool_off().total_seconds())
    retry_at = timezone.localtime() + timedelta(seconds=seconds)
    minutes = _minutes(seconds)
    message = ngettext(
        "Too many failed log-in attempts. Log-in is locked for %(minutes)d minute: "
        "try again after %(time)s.",
        "Too many failed log-in attempts. Log-in is locked for %(minutes)d minutes: "
        "try again after %(time)s.",
        minutes,
    ) % {"minutes": minutes, "time": time_format(retry_at, "H:i")}
    return _refusal(
        request, message=message, retry_after=seconds, template="registration/lockout.html"
    )


def rate_limited(request: HttpRequest, *, group: str, rate: str) -> HttpResponse | None:
    """Counts this request against `rate` (e.g. "20/h") for the client's address in the shared
    cache (django-ratelimit); past the limit, the 429 to answer instead of doing anything."""
    usage = get_usage(
        request, group=group, key=lambda _group, req: client_ip(req), rate=rate, increment=True
    )
    if not usage or not usage["should_limit"]:
        return None
    seconds = max(int(usage["time_left"]), 1)
    message = ngettext(
        "Too many submissions from your network. Please wait %(minutes)d minute and try again.",
        "Too many submissions from your network. Please wait %(minutes)d minutes and try again.",
        _minutes(seconds),
    ) % {"minutes": _minutes(seconds)}
    return _refusal(request, message=message, retry_after=seconds, template="429.html")


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a translated page in the site's layout instead of Django's English
    one (whose inline style the content security policy would block anyway)."""
    return render(request, "403_csrf.html", status=403)


class SessionIdleTimeoutMiddleware:
    """Logs out a session left idle for `SESSION_IDLE_TIMEOUT` seconds (then the login page
    follows, from LoginRequiredMiddleware). The session records when it was last seen at most
    once a minute, so a busy user costs one session write a minute, not one per request as
    SESSION_SAVE_EVERY_REQUEST would; SESSION_COOKIE_AGE still bounds a session's whole life
    unless it keeps being used."""

    KEY = "last_seen"
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen >= self.RESOLUTION:
                request.session[self.KEY] = now
        return self.get_response(request)


def mark_session_seen(sender, request, user, **kwargs):
    """On log-in (user_logged_in), so a fresh session starts its idle clock without an extra
    write on its first request."""
    if hasattr(request, "session"):
        request.session[SessionIdleTimeoutMiddleware.KEY] = int(timezone.now().timestamp())


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message our catalogue translates: Django 5.2 changed its message's
    placeholder and its zh-hans catalogue has not followed, so the refusal came out in English."""

    def get_error_message(self):
        return ngettext(
            "This password is too short: it must have at least %(min_length)d character.",
            "This password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
