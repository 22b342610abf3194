"""The secretary's workbench: registrations of the community, pending first, decided in bulk."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_filters.views import FilterView

from cadres import exports, services
from cadres.choices import UNDECIDED_STATUSES
from cadres.filters import RegistrationFilterSet
from cadres.forms import ReturnForm
from cadres.models import Registration
from cadres.selectors import communities_with_registration_counts, registrations_for_list
from communities.models import Area

from .base import ExportMixin, FilteredListMixin, lost_race_message, parse_ids


class RegistrationListView(ExportMixin, FilteredListMixin, FilterView):
    """The workbench. A secretary sees their community; township and county staff every
    community of their area with its counts. `?export=xlsx` downloads the filtered roster."""

    filterset_class = RegistrationFilterSet
    template_name = "cadres/registration_list.html"
    paginate_by = 50
    context_object_name = "registrations"

    def get_queryset(self):
        return registrations_for_list(Registration.objects.visible_to(self.request.user))

    def export_response(self, queryset):
        return exports.roster_response(queryset, self.request.user, self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["return_form"] = ReturnForm()
        context["assign"] = self.request.GET.get("assign", "")
        if user.is_secretary:
            context["community"] = Area.objects.visible_to(user).filter(pk=user.area_id).first()
        else:
            context["community_counts"] = communities_with_registration_counts(
                Area.objects.visible_to(user).communities()
            )
        return context


class RegistrationBulkView(View):
    """Confirms or returns the ticked registrations, all or none."""

    http_method_names = ["post"]

    def post(self, request):
        action = request.POST.get("action")
        field = "page_ids" if action == "confirm_page" else "ids"
        ids = parse_ids(request.POST.getlist(field))
        chosen = list(Registration.objects.visible_to(request.user).filter(pk__in=ids))
        if len(chosen) != len(ids):
            raise Http404
        if action == "confirm_page":
            chosen = [r for r in chosen if r.status in UNDECIDED_STATUSES]
            action = "confirm"
        # Only rows still waiting change; a row someone already decided the same way is kept.
        changing = sum(1 for r in chosen if r.status in UNDECIDED_STATUSES)
        try:
            if action == "confirm":
                services.registration_confirm(actor=request.user, registrations=chosen)
                done = ngettext(
                    "%(count)d registration confirmed.",
                    "%(count)d registrations confirmed.",
                    changing,
                )
            elif action == "return":
                services.registration_return(
                    actor=request.user, registrations=chosen, reason=request.POST.get("reason", "")
                )
                done = ngettext(
                    "%(count)d registration returned.",
                    "%(count)d registrations returned.",
                    changing,
                )
            else:
                raise ValidationError(_("Choose confirm or return."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except IntegrityError:
            messages.error(request, lost_race_message())
        except PermissionDenied as error:
            raise Http404 from error
        else:
            messages.success(request, done % {"count": changing})
        return HttpResponseRedirect(self.next_url())

    def next_url(self) -> str:
        target = self.request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("cadres:workbench")
