"""Cadres and work units: the other side of 双报到 (工作在单位, 服务在社区)."""

from django.db.models import Count, Q
from django.http import Http404
from django.views.generic import DetailView
from django_filters.views import FilterView

from cadres import personal_data
from cadres.filters import CadreFilterSet, WorkUnitFilterSet
from cadres.models import Cadre, Registration, WorkUnit
from cadres.selectors import cadres_with_service, registration_history, work_units_with_counts

from .base import FilteredListMixin


class CadreDetailView(DetailView):
    """A cadre's details and registrations. The full ID number is shown only on request (a
    POST: a deliberate action) to those the personal-data rule allows."""

    template_name = "cadres/cadre_detail.html"
    context_object_name = "cadre"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return Cadre.objects.visible_to(self.request.user).select_related("work_unit")

    def active_communities(self) -> set[int]:
        return set(
            Registration.objects.active()
            .filter(cadre=self.object)
            .values_list("community_id", flat=True)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        communities = self.active_communities()
        context["history"] = registration_history(self.object).filter(
            pk__in=Registration.objects.visible_to(user).values("pk")
        )
        context["phone"] = personal_data.shown_cadre_phone(user, self.object.phone, communities)
        context["may_reveal"] = bool(self.object.id_number) and (
            personal_data.may_reveal_id_number(user, communities)
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        context = self.get_context_data(object=self.object)
        if not context["may_reveal"]:
            raise Http404
        context["full_id_number"] = self.object.id_number
        personal_data.log_id_number_shown(request, self.object.pk)
        response = self.render_to_response(context)
        response["Cache-Control"] = "no-store"
        return response


class StaffOnlyMixin:
    """Work unit pages are for the organisation department, unit staff and administrators."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.sees_everything or user.is_county_staff or user.is_unit_staff):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class WorkUnitListView(StaffOnlyMixin, FilteredListMixin, FilterView):
    """Per work unit: cadres, registered, confirmed, and those registered nowhere yet."""

    template_name = "cadres/workunit_list.html"
    context_object_name = "work_units"
    paginate_by = 100

    def get_queryset(self):
        return work_units_with_counts(WorkUnit.objects.visible_to(self.request.user)).order_by(
            "-unregistered_count", "name"
        )

    filterset_class = WorkUnitFilterSet


class WorkUnitDetailView(StaffOnlyMixin, FilteredListMixin, FilterView):
    """A work unit's cadres: where each is registered, since when, with which posts; those
    registered nowhere first."""

    template_name = "cadres/workunit_detail.html"
    context_object_name = "cadres"
    filterset_class = CadreFilterSet
    paginate_by = 100

    def get_queryset(self):
        units = WorkUnit.objects.visible_to(self.request.user)
        self.work_unit = units.filter(pk=self.kwargs["pk"]).first()
        if self.work_unit is None:
            raise Http404
        return cadres_with_service(
            Cadre.objects.visible_to(self.request.user).filter(
                work_unit__in=WorkUnit.objects.subtree(self.work_unit.pk)
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["work_unit"] = self.work_unit
        context["counts"] = self.object_list.aggregate(
            total=Count("pk"), registered=Count("pk", filter=Q(is_registered=True))
        )
        return context
