"""The appraisals of a period (a list that works on a phone) and one appraisal: the facts the
other apps hold about the cadre, and a form for each input the user may enter."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_filters.views import FilterView

from appraisal import services
from appraisal.exports import appraisal_workbook
from appraisal.filters import AppraisalFilterSet
from appraisal.forms import INPUT_FORMS
from appraisal.models import Appraisal
from appraisal.selectors import appraisals_for_list
from cadres.views.base import ExportMixin, FilteredListMixin

from .base import call_service, manages, post_labels, visible_period


class PeriodAppraisalFilterSet(AppraisalFilterSet):
    """The list's filters: the period is the page's own."""

    period = None

    class Meta(AppraisalFilterSet.Meta):
        fields = [name for name in AppraisalFilterSet.Meta.fields if name != "period"]


class AppraisalListView(ExportMixin, FilteredListMixin, FilterView):
    """A period's appraisals the user sees: a secretary their community's cadres, a team's
    account those where its team covers, the organisation department the county's. `?export=xlsx`
    downloads the filtered list as the appraisal workbook."""

    template_name = "appraisal/appraisal_list.html"
    filterset_class = PeriodAppraisalFilterSet
    context_object_name = "appraisals"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        self.period = visible_period(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        appraisals = Appraisal.objects.visible_to(self.request.user).filter(period=self.period)
        return appraisals.order_by("work_unit__name", "cadre__name", "pk")

    def paginate_queryset(self, queryset, page_size):
        # The facts of the other apps for the page shown; the export gathers its own.
        return super().paginate_queryset(appraisals_for_list(queryset), page_size)

    def get_filterset(self, filterset_class):
        self.filterset = super().get_filterset(filterset_class)
        return self.filterset

    def export_response(self, queryset):
        data = self.filterset.form.cleaned_data
        chosen = data.get("community") or data.get("township") or data.get("work_unit")
        label = chosen.name if chosen else self.period.county.name
        return appraisal_workbook(self.period, queryset, scope_label=label)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for appraisal in context["appraisals"]:
            appraisal.post_labels = post_labels(appraisal.post_kinds)
        context["period"] = self.period
        return context


class AppraisalDetailView(TemplateView):
    """One appraisal. Each input the user may enter has its form (`services.inputs_for`); each
    posts to `services.appraisal_update`, whose refusal (the quota's, naming the unit, the quota
    and who holds it) shows on the field. A closed period shows no forms."""

    template_name = "appraisal/appraisal_detail.html"
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        appraisals = appraisals_for_list(Appraisal.objects.visible_to(request.user))
        self.appraisal = get_object_or_404(appraisals, pk=kwargs["pk"])
        self.inputs = services.inputs_for(request.user, self.appraisal)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        appraisal = self.appraisal
        forms = forms or {}
        for what in self.inputs:
            forms.setdefault(what, INPUT_FORMS[what](appraisal=appraisal))
        user = self.request.user
        context.update(
            appraisal=appraisal,
            period=appraisal.period,
            posts=post_labels(appraisal.post_kinds),
            commendations=appraisal.cadre.commendations.all(),
            forms=[forms[what] for what in self.inputs],
            may_commend=manages(user, appraisal.period),
        )
        return context

    def post(self, request, *args, **kwargs):
        what = request.POST.get("input", "")
        if self.appraisal.period.is_closed:
            try:
                services.ensure_open(self.appraisal.period)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            return self.render_to_response(self.get_context_data(), status=400)
        if what not in self.inputs:
            # An input the user may not enter, or a closed period: as if there were no form.
            raise Http404
        form = INPUT_FORMS[what](request.POST, appraisal=self.appraisal)
        if form.is_valid() and call_service(
            form,
            lambda: services.appraisal_update(
                actor=request.user, appraisal=self.appraisal, changes=form.changes()
            ),
        ):
            messages.success(request, _("%(input)s saved.") % {"input": form.title})
            return redirect("appraisal:appraisal-detail", pk=self.appraisal.pk)
        context = self.get_context_data(forms={what: form})
        return self.render_to_response(context, status=400)
