"""The admin of the cadres app: reference data, accounts of work units, and corrections.

Every save goes through `cadres.services` by `communities.admin.ServiceAdmin`, so a rule only
the service knows (a post for a member not yet confirmed, a branch secretary from outside the
branch) shows on the form and nothing is saved. Nothing here is deleted: registrations and posts
are history, and no service deletes the rest; registrations are decided, posts ended and
branches established or dissolved by actions that call the services. Phones are masked in the
lists except for those `cadres.personal_data` allows.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cadres import personal_data, services
from cadres.models import Branch, BranchMember, BuildingGroup, Cadre, Post, Registration, WorkUnit
from cadres.personal_data import shown_phone
from communities.admin import ServiceAdmin

# --- the shared base --------------------------------------------------------------------------


class CadresAdmin(ServiceAdmin):
    """Lists only what the user may see, saves through a service, and deletes nothing."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


def phone_column(
    request, path: str, community_path: str | None = None, status_path: str | None = None
):
    """A list column with the phone at `path`, masked unless the user may see it in full (the
    registration's community and status at the other paths decide for a secretary)."""

    def value(obj, attribute):
        for part in attribute.split("__"):
            obj = getattr(obj, part)
        return obj

    def phone(obj):
        community_id = value(obj, community_path) if community_path else None
        status = value(obj, status_path) if status_path else None
        return shown_phone(request.user, value(obj, path), community_id, status=status)

    phone.short_description = _("mobile phone")
    phone.admin_order_field = path
    return phone


class PhoneMaskingAdmin(CadresAdmin):
    phone_path = "phone"
    phone_community_path: str | None = None
    phone_status_path: str | None = None

    def get_list_display(self, request):
        return [
            phone_column(
                request, self.phone_path, self.phone_community_path, self.phone_status_path
            )
            if column == self.phone_path
            else column
            for column in super().get_list_display(request)
        ]


class ActiveFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Active")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_at__isnull=self.value() == "yes")
        return queryset


# --- work units and cadres ----------------------------------------------------------------------


@admin.register(WorkUnit)
class WorkUnitAdmin(CadresAdmin):
    list_display = ["name", "parent", "county", "cadre_count"]
    list_filter = [("county", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["county", "parent", "contacts"]
    list_select_related = ["county", "parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cadre_count=Count("cadres"))

    @admin.display(description=_("cadres"), ordering="cadre_count")
    def cadre_count(self, obj):
        return obj.cadre_count

    def service_save(self, request, obj, form, change):
        return services.work_unit_save(actor=request.user, work_unit=obj)


class RegistrationInline(admin.TabularInline):
    """A member's registrations, newest first: the history, read only."""

    model = Registration
    fk_name = "cadre"
    fields = readonly_fields = ["community", "building", "unit", "status", "channel", "created_at"]
    ordering = ["-created_at"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Cadre)
class CadreAdmin(PhoneMaskingAdmin):
    list_display = [
        "name",
        "gender",
        "phone",
        "work_unit",
        "position",
        "party_standing",
        "is_county_leader",
    ]
    list_filter = [
        "party_standing",
        "is_county_leader",
        "gender",
        ("work_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "phone", "^name_initials", "=id_number"]
    autocomplete_fields = ["work_unit"]
    list_select_related = ["work_unit"]
    readonly_fields = ["name_initials"]
    inlines = [RegistrationInline]

    def service_save(self, request, obj, form, change):
        return services.cadre_save(actor=request.user, cadre=obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The change form holds the full ID-card number: showing it is logged like the
        # member page's reveal.
        if change and obj is not None and obj.id_number:
            personal_data.log_id_number_shown(request, obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)


# --- registrations and posts ------------------------------------------------------------------


class RegistrationActionForm(ActionForm):
    # Read by the return action only; returning without a reason is refused by the service.
    reason = forms.CharField(label=_("Reason for returning:"), required=False, max_length=200)


@admin.register(Registration)
class RegistrationAdmin(PhoneMaskingAdmin):
    list_display = [
        "cadre",
        "cadre__phone",
        "work_unit",
        "community",
        "address",
        "status",
        "channel",
        "created_at",
    ]
    phone_path = "cadre__phone"
    phone_community_path = "community_id"
    phone_status_path = "status"
    list_filter = [
        "status",
        "channel",
        ("community", admin.RelatedOnlyFieldListFilter),
        ("cadre__work_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["cadre__name", "cadre__phone", "^cadre__name_initials"]
    autocomplete_fields = ["cadre", "community", "building", "unit"]
    list_select_related = [
        "cadre__work_unit",
        "community",
        "building__estate",
        "unit__building__estate",
    ]
    fields = [
        "cadre",
        "community",
        "building",
        "unit",
        "room",
        "channel",
        "commitment_signed_on",
        "pioneer_post",
        "status",
        "return_reason",
        "transferred_from",
        "submitted_by",
        "decided_by",
        "decided_at",
        "ended_at",
    ]
    decision_fields = [
        "status",
        "return_reason",
        "transferred_from",
        "submitted_by",
        "decided_by",
        "decided_at",
        "ended_at",
    ]
    action_form = RegistrationActionForm
    actions = ["confirm_selected", "return_selected"]

    def get_readonly_fields(self, request, obj=None):
        # Who registered where is fixed; a move is a transfer, a decision an action.
        fixed = ["cadre", "community", "channel"] if obj else []
        return [*fixed, *self.decision_fields]

    @admin.display(description=_("work unit"), ordering="cadre__work_unit__name")
    def work_unit(self, obj):
        return obj.cadre.work_unit

    @admin.display(description=_("address"))
    def address(self, obj):
        place = obj.unit or obj.building or ""
        return f"{place} {obj.room}".strip()

    def service_save(self, request, obj, form, change):
        if obj.pk:
            return services.registration_save(actor=request.user, registration=obj)
        cadre = obj.cadre
        return services.registration_submit(
            actor=request.user,
            community=obj.community,
            details=services.CadreDetails(
                name=cadre.name, phone=cadre.phone, work_unit=cadre.work_unit
            ),
            building=obj.building,
            unit=obj.unit,
            room=obj.room,
            channel=obj.channel,
            commitment_signed_on=obj.commitment_signed_on,
            pioneer_post=obj.pioneer_post,
        )

    @admin.action(description=_("Confirm selected registrations"))
    def confirm_selected(self, request, queryset):
        count = len(queryset)
        self.run_service(
            request,
            services.registration_confirm,
            ngettext(
                "%(count)d registration confirmed.", "%(count)d registrations confirmed.", count
            )
            % {"count": count},
            registrations=queryset,
        )

    @admin.action(description=_("Return selected registrations (give the reason)"))
    def return_selected(self, request, queryset):
        count = len(queryset)
        self.run_service(
            request,
            services.registration_return,
            ngettext("%(count)d registration returned.", "%(count)d registrations returned.", count)
            % {"count": count},
            registrations=queryset,
            reason=request.POST.get("reason", ""),
        )


@admin.register(Post)
class PostAdmin(CadresAdmin):
    list_display = ["kind", "place", "holder", "community", "created_at", "ended_at"]
    list_filter = ["kind", ActiveFilter, ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "registration__cadre__name",
        "registration__cadre__phone",
        "^registration__cadre__name_initials",
    ]
    autocomplete_fields = ["registration", "estate", "grid", "building", "unit"]
    list_select_related = [
        "registration__cadre",
        "community",
        "estate",
        "grid",
        "building__estate",
        "unit__building__estate",
    ]
    fields = ["registration", "kind", "estate", "grid", "building", "unit", "ended_at"]
    readonly_fields = ["ended_at"]
    actions = ["end_selected"]

    @admin.display(description=_("held by"), ordering="registration__cadre__name")
    def holder(self, obj):
        return obj.registration.cadre

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place or "—"

    def has_change_permission(self, request, obj=None):
        # A post is assigned or ended, never edited: the change page is a record.
        return obj is None and super().has_change_permission(request, obj)

    def service_save(self, request, obj, form, change):
        return services.post_assign(
            actor=request.user,
            registration=obj.registration,
            kind=obj.kind,
            estate=obj.estate,
            grid=obj.grid,
            building=obj.building,
            unit=obj.unit,
        )

    @admin.action(description=_("End selected posts"))
    def end_selected(self, request, queryset):
        posts = list(queryset.filter(ended_at__isnull=True))

        def end(actor, posts):
            for post in posts:
                services.post_end(actor=actor, post=post)

        count = len(posts)
        self.run_service(
            request,
            end,
            ngettext("%(count)d post ended.", "%(count)d posts ended.", count) % {"count": count},
            posts=posts,
        )


# --- branches and building groups ---------------------------------------------------------------


class BranchMemberInline(admin.TabularInline):
    """Members, read only: they are added on the branch's form and leave through the services."""

    model = BranchMember
    fields = readonly_fields = ["cadre", "joined_on", "left_on"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BranchForm(forms.ModelForm):
    add_members = forms.ModelMultipleChoiceField(
        label=_("add members"),
        queryset=Cadre.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(BranchMember._meta.get_field("cadre"), admin.site),
        help_text=_("Confirmed members of the branch's community; any cadre for a front-line one."),
    )

    class Meta:
        model = Branch
        fields = ["area", "kind", "grid", "name", "secretary"]


@admin.register(Branch)
class BranchAdmin(CadresAdmin):
    form = BranchForm
    list_display = [
        "name",
        "kind",
        "area",
        "grid",
        "status",
        "secretary",
        "member_count",
        "established_on",
    ]
    list_filter = ["status", "kind", ("area", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "area__name"]
    autocomplete_fields = ["area", "grid", "secretary"]
    list_select_related = ["area", "grid", "secretary"]
    fields = [
        "area",
        "kind",
        "grid",
        "name",
        "secretary",
        "add_members",
        "status",
        "established_on",
        "dissolved_on",
    ]
    readonly_fields = ["status", "established_on", "dissolved_on"]
    inlines = [BranchMemberInline]
    actions = ["establish_selected", "dissolve_selected"]

    def get_queryset(self, request):
        current = Count("members", filter=Q(members__left_on__isnull=True))
        return super().get_queryset(request).annotate(member_count=current)

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    def service_save(self, request, obj, form, change):
        actor, secretary = request.user, obj.secretary
        members = list(form.cleaned_data.get("add_members") or [])
        if obj.pk is None:
            # Members join a saved branch, and its secretary must be one of them.
            obj.secretary = None
            obj = services.branch_save(actor=actor, branch=obj)
        if members:
            services.branch_add_members(actor=actor, branch=obj, cadres=members)
        obj.secretary = secretary
        return services.branch_save(actor=actor, branch=obj)

    def _each(self, request, queryset, service, success: str) -> None:
        def run(actor, branches):
            for branch in branches:
                service(actor=actor, branch=branch)

        branches = list(queryset)
        self.run_service(request, run, success % {"count": len(branches)}, branches=branches)

    @admin.action(description=_("Establish selected branches"))
    def establish_selected(self, request, queryset):
        success = ngettext(
            "%(count)d branch established.", "%(count)d branches established.", len(queryset)
        )
        self._each(request, queryset, services.branch_establish, success)

    @admin.action(description=_("Dissolve selected branches"))
    def dissolve_selected(self, request, queryset):
        success = ngettext(
            "%(count)d branch dissolved.", "%(count)d branches dissolved.", len(queryset)
        )
        self._each(request, queryset, services.branch_dissolve, success)


@admin.register(BuildingGroup)
class BuildingGroupAdmin(CadresAdmin):
    list_display = ["building", "community", "leader"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["building__name", "community__name", "leader__name"]
    autocomplete_fields = ["building", "leader"]
    list_select_related = ["building__estate", "community", "leader"]
    fields = ["building", "community", "leader"]

    def get_readonly_fields(self, request, obj=None):
        return ["building", "community"] if obj else ["community"]

    def service_save(self, request, obj, form, change):
        return services.building_group_save(
            actor=request.user, building=obj.building, leader=obj.leader
        )
