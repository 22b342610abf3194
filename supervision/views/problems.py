"""The problems board (闭环管理) and a problem's page, where it is moved on step by step."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from cadres.views.base import (
    ExportMixin,
    FilteredListMixin,
    add_service_errors,
    lost_race_message,
)
from supervision import exports, services
from supervision.choices import PROBLEM_TRANSITIONS, ProblemStatus
from supervision.models import Problem, ProblemEvidence, ProblemStep
from supervision.selectors import problem_grand_total

from .base import ProblemFilterSet


class ProblemListView(ExportMixin, FilteredListMixin, FilterView):
    template_name = "supervision/problem_list.html"
    filterset_class = ProblemFilterSet
    context_object_name = "problems"
    paginate_by = 50
    export = staticmethod(exports.problems_xlsx)

    def get_queryset(self):
        return (
            Problem.objects.visible_to(self.request.user)
            .select_related("team", "community__parent")
            .order_by("-found_on", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = problem_grand_total(self.object_list)
        return context


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; the service checks their size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class AdvanceForm(forms.Form):
    # Any status is accepted here: the service decides which steps are allowed and says why not.
    to_status = forms.ChoiceField(label=gettext_lazy("Move to"), choices=ProblemStatus.choices)
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea, required=False)
    files = MultipleFileField(
        label=gettext_lazy("Photos or files (JPEG, PNG, WebP, PDF; up to 10 MB each)"),
        required=False,
    )


def next_statuses(status: str) -> list:
    """The statuses a problem in `status` may move to, in workflow order."""
    return [s for s in ProblemStatus if (status, s) in PROBLEM_TRANSITIONS]


class ProblemDetailView(DetailView):
    """A problem with its steps (who, when, note, evidence) and, for those who may, a form to
    move it on. A refused step is shown on the form."""

    template_name = "supervision/problem_detail.html"
    context_object_name = "problem"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Problem.objects.visible_to(self.request.user).select_related(
            "team", "community__parent", "report", "found_by", "resolved_by", "verified_by"
        )

    def editable(self) -> bool:
        return Problem.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        steps = (
            ProblemStep.objects.filter(problem=self.object)
            .select_related("actor")
            .prefetch_related(Prefetch("evidence", queryset=ProblemEvidence.objects.order_by("id")))
        )
        editable = self.editable()
        context.update(
            steps=steps,
            editable=editable,
            next_statuses=next_statuses(self.object.status) if editable else [],
        )
        if editable:
            context.setdefault("form", AdvanceForm())
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not self.editable():
            raise Http404
        form = AdvanceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.problem_advance(
                    actor=request.user,
                    problem=self.object,
                    to_status=form.cleaned_data["to_status"],
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except IntegrityError:
                form.add_error(None, lost_race_message())
            except PermissionDenied as error:
                raise Http404 from error
            else:
                status = ProblemStatus(form.cleaned_data["to_status"]).label
                messages.success(
                    request, _("The problem is now “%(status)s”.") % {"status": status}
                )
                return redirect("supervision:problem-detail", pk=self.object.pk)
        self.object.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EvidenceView(View):
    """A step's photo or file, for those who see the problem."""

    def get(self, request, pk):
        problems = Problem.objects.visible_to(request.user)
        evidence = get_object_or_404(ProblemEvidence, pk=pk, step__problem__in=problems)
        try:
            fileobj = evidence.file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(fileobj, content_type=evidence.content_type, filename=evidence.name)
        response["X-Content-Type-Options"] = "nosniff"
        return response
