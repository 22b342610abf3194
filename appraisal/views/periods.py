"""Appraisal periods: the list (with a new period's form for the organisation department) and a
period's page — weights, thresholds, the stated rule, quotas with their use, adding the cadres
who started serving, closing, and the appraisal workbook down and back up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from django_filters.views import FilterView

from appraisal import services
from appraisal.exports import appraisal_workbook
from appraisal.filters import PeriodFilterSet
from appraisal.forms import PeriodForm, QuotaForm, WorkbookForm, WorkbookUploadForm
from appraisal.imports import workbook_import
from appraisal.models import Appraisal, Period, Quota
from appraisal.selectors import quotas_with_use
from cadres.models import WorkUnit
from cadres.views.base import FilteredListMixin, run_service
from supervision.selectors import row_count

from .base import ANY_MISSING, MISSING, call_service, enters_inputs, manages, visible_period


def may_open_periods(user) -> bool:
    return user.sees_everything or (user.is_county_staff and user.area_id is not None)


def with_counts(periods, user):
    """Each period with the appraisals the user sees in it: all, graded, an input missing."""
    seen = Appraisal.objects.visible_to(user).filter(period=OuterRef("pk"))
    return periods.annotate(
        appraisal_count=row_count(seen),
        graded_count=row_count(seen.exclude(final_grade="")),
        missing_count=row_count(seen.filter(ANY_MISSING)),
    )


class PeriodListView(FilteredListMixin, FilterView):
    """Every period the user sees, with counts of what they see in it. The organisation
    department opens a new one here (`services.period_save`, which adds the appraisals of the
    cadres serving in it)."""

    template_name = "appraisal/period_list.html"
    filterset_class = PeriodFilterSet
    context_object_name = "periods"
    paginate_by = 50
    http_method_names = ["get", "post", "head", "options"]
    form = None

    def get_queryset(self):
        periods = Period.objects.visible_to(self.request.user).select_related("county")
        return with_counts(periods, self.request.user).order_by("-starts_on", "county__path", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.form is None and may_open_periods(user):
            self.form = PeriodForm(user=user)
        context["form"] = self.form
        return context

    def post(self, request, *args, **kwargs):
        if not may_open_periods(request.user):
            raise Http404
        self.form = form = PeriodForm(request.POST, user=request.user)
        if form.is_valid() and call_service(
            form, lambda: services.period_save(actor=request.user, period=form.instance)
        ):
            period = form.instance
            messages.success(
                request,
                _("Period “%(period)s” is open, with %(count)s cadres to appraise.")
                % {"period": period.name, "count": period.appraisals.count()},
            )
            return redirect("appraisal:period-detail", pk=period.pk)
        response = self.get(request, *args, **kwargs)
        response.status_code = 400
        return response


class PeriodMixin:
    """A page of a period the user sees (404 otherwise); with `managers_only`, of a period the
    user runs."""

    managers_only = False

    def dispatch(self, request, *args, **kwargs):
        self.period = visible_period(request.user, kwargs["pk"])
        self.manages = manages(request.user, self.period)
        if self.managers_only and not self.manages:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PeriodDetailView(PeriodMixin, TemplateView):
    """A period: its rules, what is still missing, quotas with their use; for the
    organisation department the quota form, adding cadres, closing; the workbook download for
    everyone who sees the period (their own appraisals in it), the upload for those who enter
    inputs. The actions below render this page again with their form's errors."""

    template_name = "appraisal/period_detail.html"

    def appraisals(self):
        return Appraisal.objects.visible_to(self.request.user).filter(period=self.period)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        period = self.period
        is_open = not period.is_closed
        quotas = quotas_with_use(period).filter(pk__in=Quota.objects.visible_to(user).values("pk"))
        counts = self.appraisals().aggregate(
            total=Count("pk"),
            graded=Count("pk", filter=~Q(final_grade="")),
            **{
                f"missing_{what}": Count("pk", filter=condition)
                for what, condition in MISSING.items()
            },
        )
        context.update(
            period=period,
            manages=self.manages,
            counts=counts,
            quotas=quotas,
            weights=[
                (_("On-site inspection"), period.weight_inspection),
                (_("Secretary's talk"), period.weight_talk),
                (_("Members' and residents' evaluation"), period.weight_evaluation),
            ],
        )
        if self.manages and is_open:
            context.setdefault("quota_form", QuotaForm(period=period))
        context.setdefault("workbook_form", WorkbookForm(period=period, user=user))
        if is_open and enters_inputs(user):
            context.setdefault("upload_form", WorkbookUploadForm())
        return context


class QuotaSetView(PeriodDetailView):
    managers_only = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = QuotaForm(request.POST, period=self.period)
        if form.is_valid():
            data = form.cleaned_data

            def set_quota():
                services.quota_set(
                    actor=request.user,
                    period=self.period,
                    work_unit=data["work_unit"],
                    excellent=data["excellent"],
                )

            if call_service(form, set_quota):
                messages.success(
                    request,
                    _("%(unit)s: %(places)s “excellent” places.")
                    % {"unit": data["work_unit"].name, "places": data["excellent"]},
                )
                return redirect("appraisal:period-detail", pk=self.period.pk)
        context = self.get_context_data(quota_form=form)
        return self.render_to_response(context, status=400)


class PeriodSyncView(PeriodMixin, View):
    """Adds the appraisals of the cadres who started serving since the period opened."""

    managers_only = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        added = []

        def sync():
            added.append(services.appraisals_sync(actor=request.user, period=self.period))

        if run_service(request, sync):
            messages.success(
                request,
                ngettext("%(count)d cadre added.", "%(count)d cadres added.", added[0])
                % {"count": added[0]},
            )
        return redirect("appraisal:period-detail", pk=self.period.pk)


class PeriodCloseView(PeriodMixin, TemplateView):
    """Closing is for good: a page says what it means and asks to confirm."""

    managers_only = True
    template_name = "appraisal/period_close.html"
    http_method_names = ["get", "post", "head", "options"]

    def get_context_data(self, **kwargs):
        counts = Appraisal.objects.filter(period=self.period).aggregate(
            total=Count("pk"),
            ungraded=Count("pk", filter=Q(final_grade="")),
            missing=Count("pk", filter=ANY_MISSING),
        )
        return super().get_context_data(period=self.period, counts=counts, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.period.is_closed:
            return redirect("appraisal:period-detail", pk=self.period.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        run_service(
            request,
            lambda: services.period_close(actor=request.user, period=self.period),
            success=_("Period “%(period)s” is closed.") % {"period": self.period.name},
        )
        return redirect("appraisal:period-detail", pk=self.period.pk)


class WorkbookView(PeriodDetailView):
    """The appraisal workbook of a work unit, a township or the whole county: the appraisals
    the user sees among them. A bad choice shows the period's page with the form's error."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        form = WorkbookForm(request.GET, period=self.period, user=request.user)
        if not form.is_valid():
            context = self.get_context_data(workbook_form=form)
            return self.render_to_response(context, status=400)
        appraisals = self.appraisals()
        if unit := form.cleaned_data["work_unit"]:
            appraisals = appraisals.filter(work_unit__in=WorkUnit.objects.subtree(unit.pk))
        elif township := form.cleaned_data["township"]:
            appraisals = appraisals.filter(community__path__startswith=township.path)
        return appraisal_workbook(self.period, appraisals, scope_label=form.scope_label())


class WorkbookUploadView(PeriodDetailView):
    """A downloaded workbook filled in offline, uploaded back: the changed inputs are applied
    all together, or — a bad cell anywhere — none, and each bad cell is listed with its sheet,
    row and column."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not enters_inputs(request.user):
            raise Http404
        form = WorkbookUploadForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                result = workbook_import(request.user, self.period, form.cleaned_data["file"])
            except ValidationError as error:
                # The file as a whole is unusable (not a workbook, a closed period): say so on it.
                form.add_error("file", error.messages)
            except PermissionDenied as error:
                raise Http404 from error
        if result is not None and not result.errors:
            messages.success(request, import_message(result))
        context = self.get_context_data(upload_form=form, import_result=result)
        failed = result is None or bool(result.errors)
        return self.render_to_response(context, status=400 if failed else 200)


def import_message(result) -> str:
    if not result.applied:
        return _("Nothing changed: the workbook holds what is stored.")
    return ngettext(
        "%(count)s appraisal changed, %(cells)s cells in all.",
        "%(count)s appraisals changed, %(cells)s cells in all.",
        result.applied,
    ) % {"count": result.applied, "cells": result.cells}
