"""The admin of supervision: teams, the measures catalogue, and a read-only view of reports.

Teams save through `services.team_save` by `communities.admin.ServiceAdmin`, their standing
members and covered areas included, so a rule only the service knows (an area of another county)
shows as an error and nothing is saved. Reports come through the API and are only read here.
Problems move on by actions that call `services.problem_advance`: a skipped step, or a fix
verified by whoever resolved it, is refused with the service's message and nothing changes.
Nothing is deleted but a measure no report has checked.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communities.admin import ServiceAdmin, refusals
from supervision import services
from supervision.choices import ProblemStatus
from supervision.models import (
    DailyReport,
    DailyReportRevision,
    Measure,
    MeasureCheck,
    Problem,
    ProblemEvidence,
    ProblemStep,
    Team,
    TeamCoverage,
    TeamMember,
)

# --- the shared base --------------------------------------------------------------------------


class SupervisionAdmin(ServiceAdmin):
    """Lists only what the user may see, and deletes nothing."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- teams ------------------------------------------------------------------------------------


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    fields = ["cadre"]
    autocomplete_fields = ["cadre"]
    extra = 0


class TeamCoverageInline(admin.TabularInline):
    model = TeamCoverage
    fields = ["area"]
    autocomplete_fields = ["area"]
    extra = 0


def chosen(formset, field: str) -> list:
    """What an inline formset holds once saved: every row's `field`, less the rows deleted."""
    values = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get(field) is not None and not data.get("DELETE"):
            values.append(data[field])
    return values


@admin.register(Team)
class TeamAdmin(SupervisionAdmin):
    list_display = ["name", "county", "lead_unit", "leader", "member_count", "covered"]
    list_filter = [
        ("county", admin.RelatedOnlyFieldListFilter),
        ("lead_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "lead_unit__name", "leader__name"]
    autocomplete_fields = ["county", "lead_unit", "leader", "paired_units", "accounts"]
    list_select_related = ["county", "lead_unit", "leader"]
    fields = ["county", "name", "lead_unit", "leader", "paired_units", "accounts"]
    inlines = [TeamMemberInline, TeamCoverageInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members", "coverage__area")

    @admin.display(description=_("standing members"))
    def member_count(self, obj):
        return len(obj.members.all())

    @admin.display(description=_("covered areas"))
    def covered(self, obj):
        return "、".join(c.area.name for c in obj.coverage.all())

    def service_save(self, request, obj, form, change):
        return services.team_save(actor=request.user, team=obj)

    def save_related(self, request, form, formsets, change):
        # The "5" and the coverage are the team's, set by the service in one go, never row by row.
        form.save_m2m()
        rows = {formset.model: formset for formset in formsets}
        for formset in formsets:
            # Saves nothing; lists what changed, for the admin's history of the team.
            formset.save(commit=False)
        with refusals():
            services.team_save(
                actor=request.user,
                team=form.instance,
                members=chosen(rows[TeamMember], "cadre"),
                coverage=chosen(rows[TeamCoverage], "area"),
            )


# --- the measures catalogue -------------------------------------------------------------------


@admin.register(Measure)
class MeasureAdmin(ServiceAdmin):
    list_display = ["number", "title", "is_placeholder"]
    list_display_links = ["number", "title"]
    list_filter = ["is_placeholder"]
    search_fields = ["title", "=number"]
    fields = ["number", "title", "is_placeholder"]

    def service_save(self, request, obj, form, change):
        # Reference data of one row, written by no service: validated, then saved.
        obj.full_clean()
        obj.save()
        return obj


# --- reports ----------------------------------------------------------------------------------


class MeasureCheckInline(ReadOnlyInline):
    model = MeasureCheck
    fields = ["measure", "community", "status"]


class ReportProblemInline(ReadOnlyInline):
    model = Problem
    fields = ["community", "focus_area", "description", "status", "deadline"]
    show_change_link = True


class RevisionInline(ReadOnlyInline):
    model = DailyReportRevision
    fields = ["changed_at", "changed_by", "previous"]


@admin.register(DailyReport)
class DailyReportAdmin(SupervisionAdmin):
    """Reports come through the API (`daily_report_submit`, amended by PATCH): here they are
    only read, with their measure checks, problems and revisions."""

    list_display = [
        "date",
        "team",
        "submitted_by",
        "created_at",
        "households_visited",
        "people_screened",
        "returnees_found",
        "checkpoint_vehicles",
        "checkpoint_people",
    ]
    list_filter = ["date", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["team__name"]
    date_hierarchy = "date"
    list_select_related = ["team", "submitted_by"]
    inlines = [MeasureCheckInline, ReportProblemInline, RevisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- problems ---------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


class ProblemActionForm(ActionForm):
    # A note for the step; a failed check needs one (the service says so).
    note = forms.CharField(label=_("Note:"), required=False, max_length=500)


class ProblemStepInline(ReadOnlyInline):
    model = ProblemStep
    fields = ["from_status", "to_status", "actor", "at", "note"]
    show_change_link = True


@admin.register(Problem)
class ProblemAdmin(SupervisionAdmin):
    list_display = [
        "description",
        "team",
        "community",
        "focus_area",
        "status",
        "found_on",
        "deadline",
        "overdue",
        "resolved_by",
        "verified_by",
    ]
    list_filter = [
        "status",
        OverdueFilter,
        "focus_area",
        ("team", admin.RelatedOnlyFieldListFilter),
        ("community", admin.RelatedOnlyFieldListFilter),
        "found_on",
    ]
    search_fields = ["description", "team__name", "community__name"]
    list_select_related = ["team", "community", "resolved_by", "verified_by"]
    fields = [
        "team",
        "report",
        "community",
        "focus_area",
        "description",
        "status",
        "deadline",
        "found_on",
        "found_by",
        "resolved_by",
        "resolved_at",
        "verified_by",
        "verified_at",
    ]
    inlines = [ProblemStepInline]
    action_form = ProblemActionForm
    actions = ["rectify_selected", "resolve_selected", "verify_selected"]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # A problem moves on by the actions, never by editing: its page is a record.
        return obj is None and super().has_change_permission(request, obj)

    def _advance(self, request, queryset, to_status: str, success: str) -> None:
        problems = list(queryset)
        note = request.POST.get("note", "")

        def advance(actor, problems):
            for problem in problems:
                services.problem_advance(
                    actor=actor, problem=problem, to_status=to_status, note=note
                )

        self.run_service(request, advance, success % {"count": len(problems)}, problems=problems)

    @admin.action(
        description=_("Rectify selected problems, or reopen resolved ones (give the note)")
    )
    def rectify_selected(self, request, queryset):
        success = ngettext(
            "%(count)d problem being rectified.",
            "%(count)d problems being rectified.",
            len(queryset),
        )
        self._advance(request, queryset, ProblemStatus.RECTIFYING, success)

    @admin.action(description=_("Mark selected problems resolved"))
    def resolve_selected(self, request, queryset):
        success = ngettext(
            "%(count)d problem resolved.", "%(count)d problems resolved.", len(queryset)
        )
        self._advance(request, queryset, ProblemStatus.RESOLVED, success)

    @admin.action(description=_("Verify selected fixes"))
    def verify_selected(self, request, queryset):
        success = ngettext(
            "%(count)d problem verified.", "%(count)d problems verified.", len(queryset)
        )
        self._advance(request, queryset, ProblemStatus.VERIFIED, success)


class EvidenceInline(ReadOnlyInline):
    model = ProblemEvidence
    fields = ["file", "name", "content_type", "size"]


@admin.register(ProblemStep)
class ProblemStepAdmin(admin.ModelAdmin):
    """The history of the problems: read only."""

    list_display = ["problem", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status", "at"]
    search_fields = ["problem__description", "note", "actor__username", "actor__last_name"]
    list_select_related = ["problem", "actor"]
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        visible = Problem.objects.visible_to(request.user)
        return super().get_queryset(request).filter(problem__in=visible)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
