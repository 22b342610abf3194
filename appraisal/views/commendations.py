"""Commendations (嘉奖, 记功): the list, and the organisation department's form to record one
(`services.commendation_add`; no ratio limits them)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_filters.views import FilterView

from appraisal import services
from appraisal.choices import CommendationKind
from appraisal.filters import CommendationFilterSet
from appraisal.forms import CommendationForm
from appraisal.models import Commendation
from cadres.views.base import FilteredListMixin

from .base import call_service


def records_commendations(user) -> bool:
    return user.sees_everything or (user.is_county_staff and user.area_id is not None)


class CommendationListView(FilteredListMixin, FilterView):
    template_name = "appraisal/commendation_list.html"
    filterset_class = CommendationFilterSet
    context_object_name = "commendations"
    paginate_by = 50
    http_method_names = ["get", "post", "head", "options"]
    form = None

    def get_queryset(self):
        return Commendation.objects.visible_to(self.request.user).select_related(
            "cadre__work_unit", "period"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.form is None and records_commendations(user):
            cadre = self.request.GET.get("cadre", "")
            initial = {"cadre": int(cadre)} if cadre.isascii() and cadre.isdigit() else {}
            self.form = CommendationForm(user=user, initial=initial)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=self.form, query=query.urlencode())
        return context

    def post(self, request, *args, **kwargs):
        if not records_commendations(request.user):
            raise Http404
        self.form = form = CommendationForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            if call_service(form, lambda: services.commendation_add(actor=request.user, **data)):
                messages.success(
                    request,
                    _("%(kind)s recorded for %(name)s.")
                    % {"kind": CommendationKind(data["kind"]).label, "name": data["cadre"].name},
                )
                return redirect("appraisal:commendations")
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response
