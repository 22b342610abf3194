"""The admin of the appraisal: periods, appraisals, quotas and commendations.

Everything saves through `appraisal.services` by `communities.admin.ServiceAdmin`: a period
through `period_save` (a new one gets the appraisals of the cadres serving in it), an
appraisal's inputs through `appraisal_update` (who may enter what, the quota, who and when),
a quota through `quota_set`, a commendation through `commendation_add`. What a service refuses
(a final 优秀 beyond the quota, a quota below the 优秀 already given) shows on the form and
nothing is saved. Periods are closed and cadres added by actions. A closed period, and every
row of it, is read only; nothing is deleted (appraisals are history), and a commendation once
recorded is a record.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from appraisal import services
from appraisal.models import Appraisal, Commendation, Period, Quota
from communities.admin import ServiceAdmin, refusals

STAMP_FIELDS = [
    "inspection_by",
    "inspection_at",
    "talk_by",
    "talk_at",
    "evaluation_by",
    "evaluation_at",
    "graded_by",
    "graded_at",
]


class AppraisalAppAdmin(ServiceAdmin):
    """Lists only what the user may see, deletes nothing, and leaves a closed period's rows
    read only (`period_of` names the row's period)."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def period_of(self, obj) -> Period | None:
        return obj.period

    def has_change_permission(self, request, obj=None):
        period = self.period_of(obj) if obj is not None else None
        if period is not None and period.is_closed:
            return False
        return super().has_change_permission(request, obj)


# --- periods ----------------------------------------------------------------------------------


@admin.register(Period)
class PeriodAdmin(AppraisalAppAdmin):
    list_display = ["name", "county", "starts_on", "ends_on", "status", "closed_at"]
    list_filter = ["status", ("county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "county__name"]
    autocomplete_fields = ["county"]
    list_select_related = ["county"]
    date_hierarchy = "starts_on"
    fields = [
        "county",
        "name",
        "starts_on",
        "ends_on",
        "weight_inspection",
        "weight_talk",
        "weight_evaluation",
        "excellent_from",
        "competent_from",
        "basic_from",
        "points_satisfied",
        "points_basic",
        "points_unsatisfied",
        "status",
        "closed_at",
        "closed_by",
    ]
    actions = ["sync_selected", "close_selected"]

    def period_of(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        # A period stays with its county; it is closed by the action, never by editing.
        fixed = ["status", "closed_at", "closed_by"]
        return ["county", *fixed] if obj is not None else fixed

    def service_save(self, request, obj, form, change):
        return services.period_save(actor=request.user, period=obj)

    @admin.action(description=_("Add the cadres who started serving to the selected periods"))
    def sync_selected(self, request, queryset):
        with refusals():
            added = sum(
                services.appraisals_sync(actor=request.user, period=period) for period in queryset
            )
        message = ngettext("%(count)d cadre added.", "%(count)d cadres added.", added)
        self.message_user(request, message % {"count": added}, messages.SUCCESS)

    @admin.action(description=_("Close the selected periods for good"))
    def close_selected(self, request, queryset):
        periods = list(queryset)

        def close(actor, periods):
            for period in periods:
                services.period_close(actor=actor, period=period)

        success = ngettext(
            "%(count)d period closed.", "%(count)d periods closed.", len(periods)
        ) % {"count": len(periods)}
        self.run_service(request, close, success, periods=periods)


# --- appraisals -------------------------------------------------------------------------------


@admin.register(Appraisal)
class AppraisalAdmin(AppraisalAppAdmin):
    """Appraisals are made by the period (`period_save`, `appraisals_sync`); here their inputs
    are corrected through `appraisal_update`, which checks who may enter each and the quota."""

    list_display = [
        "cadre",
        "period",
        "work_unit",
        "community",
        "inspection_score",
        "talk_score",
        "evaluation_score",
        "composite",
        "proposed_grade_display",
        "final_grade",
    ]
    list_filter = [
        ("period", admin.RelatedOnlyFieldListFilter),
        "final_grade",
        ("work_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["cadre__name", "cadre__name_initials", "work_unit__name", "community__name"]
    list_select_related = ["period", "cadre", "work_unit", "community"]
    fields = [
        "period",
        "cadre",
        "work_unit",
        "community",
        "inspection_score",
        "inspection_note",
        "talk_score",
        "talk_note",
        "satisfied",
        "basically_satisfied",
        "unsatisfied",
        "evaluation_score",
        "composite",
        "proposed_grade_display",
        "final_grade",
        "opinion",
        *STAMP_FIELDS,
    ]
    readonly_fields = [
        "period",
        "cadre",
        "work_unit",
        "community",
        "evaluation_score",
        "composite",
        "proposed_grade_display",
        *STAMP_FIELDS,
    ]

    @admin.display(description=_("evaluation score"))
    def evaluation_score(self, obj):
        return obj.evaluation_score

    @admin.display(description=_("composite score"))
    def composite(self, obj):
        return obj.composite

    @admin.display(description=_("proposed grade"))
    def proposed_grade_display(self, obj):
        return obj.get_proposed_grade_display()

    def has_add_permission(self, request):
        return False

    def service_save(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.FIELD_INPUT
        }
        return services.appraisal_update(actor=request.user, appraisal=obj, changes=changes)


# --- quotas and commendations -------------------------------------------------------------------


@admin.register(Quota)
class QuotaAdmin(AppraisalAppAdmin):
    list_display = ["work_unit", "period", "excellent"]
    list_filter = [("period", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["work_unit__name", "period__name"]
    autocomplete_fields = ["period", "work_unit"]
    list_select_related = ["period", "work_unit"]
    fields = ["period", "work_unit", "excellent"]

    def get_readonly_fields(self, request, obj=None):
        return ["period", "work_unit"] if obj is not None else []

    def service_save(self, request, obj, form, change):
        return services.quota_set(
            actor=request.user, period=obj.period, work_unit=obj.work_unit, excellent=obj.excellent
        )


@admin.register(Commendation)
class CommendationAdmin(AppraisalAppAdmin):
    """Recorded through `commendation_add`; a commendation recorded is a record, not edited."""

    list_display = ["cadre", "kind", "awarded_on", "period", "approver", "recorded_by"]
    list_filter = ["kind", ("period", admin.RelatedOnlyFieldListFilter), "awarded_on"]
    search_fields = ["cadre__name", "cadre__name_initials", "reason", "approver"]
    autocomplete_fields = ["cadre", "period"]
    list_select_related = ["cadre", "period", "recorded_by"]
    date_hierarchy = "awarded_on"
    fields = ["cadre", "period", "kind", "awarded_on", "reason", "approver", "recorded_by"]
    readonly_fields = ["recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form, change):
        return services.commendation_add(
            actor=request.user,
            cadre=obj.cadre,
            kind=obj.kind,
            awarded_on=obj.awarded_on,
            reason=obj.reason,
            approver=obj.approver,
            period=obj.period,
        )
