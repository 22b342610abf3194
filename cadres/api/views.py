"""The cadres API: work units, cadres, registrations (with the secretary's commands), posts and
branches. Reads start from `visible_to(user)` (out of scope is 404); every write is a service of
`cadres.services`, which says who may make it (403) and checks the rules (400)."""

from dataclasses import fields

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Model, OuterRef, Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from cadres import personal_data, selectors, services
from cadres.choices import PartyStanding
from cadres.filters import (
    BranchFilterSet,
    CadreFilterSet,
    PostFilterSet,
    RegistrationFilterSet,
    WorkUnitFilterSet,
)
from cadres.models import Branch, BranchMember, Cadre, Post, Registration, WorkUnit
from communities.api.schema import ErrorSerializer
from communities.api.views import ScopedViewSet

from .serializers import (
    BranchEstablishSerializer,
    BranchMembersSerializer,
    BranchRemoveMemberSerializer,
    BranchSerializer,
    CadreIdNumberSerializer,
    CadreSerializer,
    PostSerializer,
    RegistrationIdsSerializer,
    RegistrationReturnManySerializer,
    RegistrationReturnSerializer,
    RegistrationSerializer,
    RegistrationSubmitSerializer,
    RegistrationTransferSerializer,
    WorkUnitSerializer,
    active_community_ids,
)

ID_OUT_OF_VIEW = OpenApiResponse(
    ErrorSerializer, description="An id out of the caller's view: nothing was changed."
)


class CadresViewSet(ScopedViewSet):
    """Anyone authenticated reads what they see; the services decide who writes. Nothing is
    deleted through the API: the rows are history."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def validated(self, serializer_class: type[Serializer]) -> dict:
        """The request body checked by an input serializer."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def reread(self, obj: Model) -> Model:
        """A saved row as the list shows it (annotations, prefetches), if still in view."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    def respond(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.reread(obj)).data, status=code)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self.reread(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self.reread(serializer.instance)


class WorkUnitViewSet(CadresViewSet):
    """Work units of the counties the caller works in; the organisation department of a county
    creates and changes its own."""

    queryset = WorkUnit.objects.all()
    serializer_class = WorkUnitSerializer
    filterset_class = WorkUnitFilterSet

    def write(self, instance, **extra):
        return services.work_unit_save(actor=self.request.user, work_unit=instance)


class CadreViewSet(CadresViewSet):
    """Cadres where they work and where they live. Phones are masked unless the caller needs
    them; ID-card numbers always, except through the deliberate `id-number` action."""

    queryset = Cadre.objects.select_related("work_unit")
    serializer_class = CadreSerializer
    filterset_class = CadreFilterSet

    def get_queryset(self):
        # Where each cadre is actively registered, in the same query: it decides who sees
        # the full phone.
        active = Registration.objects.active().filter(cadre=OuterRef("pk"))
        return (
            super()
            .get_queryset()
            .annotate(active_community_ids=ArraySubquery(active.values("community_id")))
        )

    def write(self, instance, **extra):
        return services.cadre_save(actor=self.request.user, cadre=instance)

    @extend_schema(responses={200: CadreIdNumberSerializer})
    @action(detail=True, methods=["post"], url_path="id-number", url_name="id-number")
    def id_number(self, request, pk=None):
        """A deliberate action (a POST, so it stays out of caches and access logs' query
        strings, and is logged): lists and details show the ID-card number masked."""
        cadre = self.get_object()
        if not personal_data.may_reveal_id_number(request.user, set(active_community_ids(cadre))):
            raise PermissionDenied(gettext("You may not see this member's full ID-card number."))
        personal_data.log_id_number_shown(request, cadre.pk)
        return Response({"id_number": cadre.id_number or ""}, headers={"Cache-Control": "no-store"})


@extend_schema_view(
    create=extend_schema(
        request=RegistrationSubmitSerializer, responses={201: RegistrationSerializer}
    )
)
class RegistrationViewSet(CadresViewSet):
    """Registrations (报到), pending first, and the secretary's commands on them."""

    queryset = Registration.objects.all()
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.registrations_for_list(super().get_queryset())

    def write(self, instance, **extra):
        return services.registration_save(actor=self.request.user, registration=instance)

    def create(self, request, *args, **kwargs):
        """A secretary enters a registration taken by phone, SMS, WeChat or in person; the member
        is found by phone or ID number, or created."""
        data = self.validated(RegistrationSubmitSerializer)
        details = services.CadreDetails(
            **{field.name: data.pop(field.name) for field in fields(services.CadreDetails)}
        )
        registration = services.registration_submit(actor=request.user, details=details, **data)
        return self.respond(registration, status.HTTP_201_CREATED)

    def in_view(self, ids: list[int]) -> list[Registration]:
        """The registrations `ids`, all of them seen by the caller, or a 404 for the lot."""
        found = list(super().get_queryset().filter(pk__in=ids))
        if len(found) != len(set(ids)):
            raise NotFound()
        return found

    def respond_many(self, registrations: list[Registration]) -> Response:
        rows = self.get_queryset().filter(pk__in=[r.pk for r in registrations])
        return Response(self.get_serializer(rows, many=True).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirms a pending registration or a transfer request."""
        registration = self.get_object()
        services.registration_confirm(actor=request.user, registrations=[registration])
        return self.respond(registration)

    @extend_schema(request=RegistrationReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Returns a pending registration or a transfer request with a reason."""
        registration = self.get_object()
        reason = self.validated(RegistrationReturnSerializer)["reason"]
        services.registration_return(
            actor=request.user, registrations=[registration], reason=reason
        )
        return self.respond(registration)

    @extend_schema(request=RegistrationTransferSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """A confirmed member moved: their registration ends and a pending one opens at the new
        community (any community)."""
        registration = self.get_object()
        new = services.registration_transfer(
            actor=request.user,
            registration=registration,
            **self.validated(RegistrationTransferSerializer),
        )
        return self.respond(new, status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="registrations_confirm_many",
        request=RegistrationIdsSerializer,
        responses={200: RegistrationSerializer(many=True), 404: ID_OUT_OF_VIEW},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="confirm",
        url_name="confirm-many",
        pagination_class=None,
    )
    def confirm_many(self, request):
        """Confirms many registrations at once, all or none; an id out of view is a 404 for the
        whole request."""
        registrations = self.in_view(self.validated(RegistrationIdsSerializer)["ids"])
        services.registration_confirm(actor=request.user, registrations=registrations)
        return self.respond_many(registrations)

    @extend_schema(
        operation_id="registrations_return_many",
        request=RegistrationReturnManySerializer,
        responses={200: RegistrationSerializer(many=True), 404: ID_OUT_OF_VIEW},
        filters=False,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="return",
        url_name="return-many",
        pagination_class=None,
    )
    def return_many(self, request):
        """Returns many registrations at once with one reason, all or none."""
        data = self.validated(RegistrationReturnManySerializer)
        registrations = self.in_view(data["ids"])
        services.registration_return(
            actor=request.user, registrations=registrations, reason=data["reason"]
        )
        return self.respond_many(registrations)


class PostViewSet(CadresViewSet):
    """Chiefs over zones, grids, buildings and units, and the six duty roles. A post is
    assigned and ended, never edited or deleted."""

    queryset = Post.objects.select_related("registration__cadre", *selectors.PLACE_RELATIONS)
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        post = services.post_assign(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.reread(post)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """Ends a post; its row stays as history."""
        return self.respond(services.post_end(actor=request.user, post=self.get_object()))


class BranchViewSet(CadresViewSet):
    """Temporary Party branches with their current members and counts."""

    queryset = Branch.objects.select_related("secretary")
    serializer_class = BranchSerializer
    filterset_class = BranchFilterSet

    def get_queryset(self):
        members = BranchMember.objects.current().filter(branch=OuterRef("pk"))
        full = members.filter(cadre__party_standing=PartyStanding.FULL)
        current = BranchMember.objects.current().select_related("cadre")
        return (
            super()
            .get_queryset()
            .annotate(
                member_count=selectors.count_of(members, "branch"),
                full_member_count=selectors.count_of(full, "branch"),
            )
            .prefetch_related(Prefetch("members", queryset=current, to_attr="current_members"))
        )

    def write(self, instance, **extra):
        return services.branch_save(actor=self.request.user, branch=instance)

    @extend_schema(request=BranchEstablishSerializer)
    @action(detail=True, methods=["post"])
    def establish(self, request, pk=None):
        """Marks a branch established: only with at least three full Party members."""
        on = self.validated(BranchEstablishSerializer)["established_on"]
        branch = services.branch_establish(actor=request.user, branch=self.get_object(), on=on)
        return self.respond(branch)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        """Dissolves a branch; its members leave that day."""
        return self.respond(services.branch_dissolve(actor=request.user, branch=self.get_object()))

    @extend_schema(request=BranchMembersSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Adds members; a grid's or community's branch takes confirmed members of its community."""
        branch = self.get_object()
        cadres = self.validated(BranchMembersSerializer)["cadres"]
        return self.respond(
            services.branch_add_members(actor=request.user, branch=branch, cadres=cadres)
        )

    @extend_schema(request=BranchRemoveMemberSerializer)
    @action(detail=True, methods=["post"], url_path="remove-member", url_name="remove-member")
    def remove_member(self, request, pk=None):
        """Removes a member (the membership row stays as history)."""
        branch = self.get_object()
        cadre = self.validated(BranchRemoveMemberSerializer)["cadre"]
        return self.respond(
            services.branch_remove_member(actor=request.user, branch=branch, cadre=cadre)
        )
