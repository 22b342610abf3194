"""Temporary branches (一个网格一支部, 成熟一个建立一个) and building Party groups."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from cadres import services
from cadres.choices import BranchKind, BranchStatus, PartyStanding, RegistrationStatus
from cadres.filters import BranchFilterSet
from cadres.models import Branch, BuildingGroup, Cadre
from communities.models import Area, Building, Grid

from .base import FilteredListMixin, add_service_errors, parse_ids, run_service


def branches_with_counts(queryset):
    current = Q(members__left_on__isnull=True)
    return queryset.select_related("area", "grid", "secretary").annotate(
        member_count=Count("members", filter=current),
        full_member_count=Count(
            "members", filter=current & Q(members__cadre__party_standing=PartyStanding.FULL)
        ),
    )


def confirmed_cadres(community_id: int):
    return Cadre.objects.filter(
        registrations__community_id=community_id,
        registrations__status=RegistrationStatus.CONFIRMED,
    ).order_by("name_initials", "name")


class BranchListView(FilteredListMixin, FilterView):
    template_name = "cadres/branch_list.html"
    filterset_class = BranchFilterSet
    context_object_name = "branches"
    paginate_by = 100

    def get_queryset(self):
        return branches_with_counts(Branch.objects.visible_to(self.request.user)).order_by(
            "area__path", "name"
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        may_create = user.sees_everything or user.is_secretary or user.is_county_staff
        return super().get_context_data(may_create=may_create, **kwargs)


class BranchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    grid = forms.ModelChoiceField(
        label=gettext_lazy("Grid"),
        queryset=Grid.objects.none(),
        required=False,
        help_text=gettext_lazy("Leave empty for a branch of the whole community."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_secretary:
            self.fields["grid"].queryset = Grid.objects.filter(community_id=user.area_id)
        else:
            del self.fields["grid"]


class BranchCreateView(FormView):
    """A secretary prepares a grid's or community's branch; the organisation department a
    front-line branch of its county."""

    form_class = BranchForm
    template_name = "cadres/branch_form.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.sees_everything or user.is_secretary or user.is_county_staff):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        user = self.request.user
        grid = form.cleaned_data.get("grid")
        if user.is_secretary:
            kind = BranchKind.GRID if grid else BranchKind.COMMUNITY
        else:
            kind = BranchKind.FRONT_LINE
        branch = Branch(
            area=Area.objects.filter(pk=user.area_id).first(),
            kind=kind,
            grid=grid,
            name=form.cleaned_data["name"],
        )
        try:
            services.branch_save(actor=user, branch=branch)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(self.request, _("Branch %(name)s is being prepared.") % {"name": branch})
        return redirect("cadres:branch-detail", pk=branch.pk)


class BranchDetailView(DetailView):
    template_name = "cadres/branch_detail.html"
    context_object_name = "branch"

    def get_queryset(self):
        return branches_with_counts(Branch.objects.visible_to(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        branch = self.object
        editable = Branch.objects.editable_by(self.request.user).filter(pk=branch.pk).exists()
        members = branch.members.current().select_related("cadre__work_unit")
        context.update(editable=editable, members=members)
        if (
            editable
            and branch.status != BranchStatus.DISSOLVED
            and branch.kind != BranchKind.FRONT_LINE
        ):
            present = [m.cadre_id for m in members]
            context["candidates"] = confirmed_cadres(branch.area_id).exclude(pk__in=present)
        return context


class BranchActionView(View):
    """establish, dissolve, add members, remove a member, set the secretary."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        branch = get_object_or_404(Branch.objects.visible_to(request.user), pk=pk)
        actor = request.user
        handlers = {
            "establish": (
                lambda: services.branch_establish(actor=actor, branch=branch),
                _("The branch is established."),
            ),
            "dissolve": (
                lambda: services.branch_dissolve(actor=actor, branch=branch),
                _("The branch is dissolved."),
            ),
            "add": (
                lambda: services.branch_add_members(
                    actor=actor, branch=branch, cadres=self.cadres(branch, "cadres")
                ),
                _("Members added."),
            ),
            "remove": (
                lambda: services.branch_remove_member(
                    actor=actor, branch=branch, cadre=self.cadre(branch)
                ),
                _("Member removed."),
            ),
            "secretary": (
                lambda: self.set_secretary(branch),
                _("Branch secretary set."),
            ),
        }
        if action not in handlers:
            raise Http404
        run_service(request, handlers[action][0], success=handlers[action][1])
        return redirect("cadres:branch-detail", pk=branch.pk)

    def cadres(self, branch, field):
        ids = parse_ids(self.request.POST.getlist(field))
        if not ids:
            raise ValidationError(_("Choose at least one member."))
        found = list(Cadre.objects.visible_to(self.request.user).filter(pk__in=ids))
        if len(found) != len(ids):
            raise Http404
        return found

    def cadre(self, branch):
        ids = parse_ids(self.request.POST.getlist("cadre"))
        if len(ids) != 1:
            raise ValidationError(_("Choose a member."))
        return get_object_or_404(Cadre.objects.visible_to(self.request.user), pk=ids[0])

    def set_secretary(self, branch):
        branch.secretary = self.cadre(branch)
        services.branch_save(actor=self.request.user, branch=branch)


class BuildingGroupView(FormView):
    """Sets up a building's Party group (一个楼栋一小组) and its leader."""

    template_name = "cadres/buildinggroup_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.building = get_object_or_404(
            Building.objects.editable_by(request.user).select_related("estate"), pk=kwargs["pk"]
        )
        self.group = BuildingGroup.objects.filter(building=self.building).first()
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = forms.Form(**self.get_form_kwargs())
        form.fields["leader"] = forms.ModelChoiceField(
            label=_("Group leader"),
            queryset=confirmed_cadres(self.building.community_id),
            required=False,
            initial=self.group.leader_id if self.group else None,
        )
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(building=self.building, group=self.group, **kwargs)

    def form_valid(self, form):
        try:
            services.building_group_save(
                actor=self.request.user, building=self.building, leader=form.cleaned_data["leader"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(
            self.request, _("Party group of %(building)s saved.") % {"building": self.building}
        )
        return redirect("cadres:community-gaps", pk=self.building.community_id)
