"""What every page of the cadres app shares."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _


def parse_ids(values: list[str]) -> list[int]:
    """Row ids posted by a page; anything that is not a plain number is a 404 (a forged form)."""
    if not all(re.fullmatch(r"[0-9]{1,18}", value) for value in values):
        raise Http404
    return sorted({int(value) for value in values})


def lost_race_message() -> str:
    """A database constraint caught two writers at once: the loser is told, nothing is saved."""
    return _("The data changed meanwhile; nothing was saved. Please try again.")


class ExportMixin:
    """`?export=xlsx` downloads the filtered list through `export_response(queryset)` (by
    default the view's `export` function); a bad filter shows the list with its errors instead of
    a file of nothing. The list keeps its query string for the pager and the export link."""

    export = None

    def export_response(self, queryset):
        return type(self).export(queryset)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.get_filterset(self.get_filterset_class())
            if filterset.is_valid():
                return self.export_response(filterset.qs)
            query = request.GET.copy()
            query.pop("export")
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class FilteredListMixin:
    """A list page whose filters were given a bad value answers 400 and shows the filter form
    with its errors (django-filter would otherwise just show an empty list)."""

    def render_to_response(self, context, **kwargs):
        filterset = getattr(self, "filterset", None)
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


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
    except IntegrityError:
        messages.error(request, lost_race_message())
        return False
    except PermissionDenied as error:
        raise Http404 from error
    if success:
        messages.success(request, success)
    return True
