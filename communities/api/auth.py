"""The API's token endpoint, under the same login lockout as the pages and the admin."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.throttling import AnonRateThrottle

from communities.security import lockout_response


class ObtainTokenView(ObtainAuthToken):
    """POST username and password → {"token": …}. django-axes counts failures here too; DRF
    authenticates with its own request object, on which axes marks a lockout, so the lockout's
    429 is answered here (AxesMiddleware only sees Django's request). Before login the caller
    is throttled per address like any anonymous API call."""

    throttle_classes = [AnonRateThrottle]

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError:
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request._request)
            raise
