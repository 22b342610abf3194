"""What every page of the cadres app shares."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


def add_service_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on the field it names when the form has
    that field, otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def run_service(request, action, *, success: str | None = None) -> bool:
    """Runs `action()` for a page that has no form to show errors on: a ValidationError becomes
    an error message, a refusal a 404 (the page reveals nothing). True when it succeeded."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    if success:
        messages.success(request, success)
    return True
