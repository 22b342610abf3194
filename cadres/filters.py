"""One FilterSet per list: the workbench page, the API and the roster export share them."""

from collections.abc import Callable

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from cadres.choices import (
    CHIEF_KINDS,
    DUTY_KINDS,
    OPEN_STATUSES,
    BranchKind,
    BranchStatus,
    PartyStanding,
    PostKind,
    RegistrationStatus,
)
from cadres.models import Branch, Cadre, Post, Registration, WorkUnit
from cadres.personal_data import sees_every_phone
from cadres.validators import normalize_phone
from communities.choices import AreaLevel
from communities.filters import SearchFilterSet
from communities.models import Area, Building, Estate

CHIEF_CHOICES = [(kind.value, kind.label) for kind in CHIEF_KINDS]
DUTY_CHOICES = [(kind.value, kind.label) for kind in DUTY_KINDS]


def phones_shown_in_full(request, secretarys_rows: Callable[[int], Q]) -> Q | None:
    """Where a search may match any digits of a phone: the rows whose phone the user sees in
    full (`Q()` all of them, None none; for a secretary `secretarys_rows(their community)`).
    Elsewhere only the last four digits match, what a masked number shows, so a search cannot
    uncover hidden digits."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    if sees_every_phone(user):
        return Q()
    if user.is_secretary and user.area_id:
        return secretarys_rows(user.area_id)
    return None


def registrations_open_with(community_id: int) -> Q:
    """Registrations whose phone the community's secretary sees in full (`personal_data`)."""
    return Q(community_id=community_id, status__in=OPEN_STATUSES)


def cadres_active_with(community_id: int) -> Q:
    """Cadres whose phone the community's secretary sees in full (`personal_data`)."""
    active = Registration.objects.active().filter(community_id=community_id)
    return Q(pk__in=active.values("cadre_id"))


def person_search(prefix: str, value: str, *, full_phone: Q | None = None) -> Q:
    """Name, phone digits, or pinyin initials (zy finds 赵莹). Any digits of a phone match on
    the rows `full_phone` selects; the last four digits anywhere."""
    value = value.strip()
    condition = Q(**{f"{prefix}name__icontains": value})
    digits = normalize_phone(value)
    if digits.isdigit() and full_phone is not None:
        condition |= Q(**{f"{prefix}phone__contains": digits}) & full_phone
    if digits.isdigit() and len(digits) <= 4:
        condition |= Q(**{f"{prefix}phone__endswith": digits})
    if value.isascii() and value.isalpha():
        condition |= Q(**{f"{prefix}name_initials__startswith": value.lower()})
    return condition


def visible(model, *related: str):
    """The choices of a filter: rows of `model` the requesting user sees, and no others."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user).select_related(*related)

    return queryset


class WorkUnitTreeFilter(django_filters.ModelChoiceFilter):
    """A work unit and the units under it (县直机关 takes in 县民政局 …)."""

    def __init__(self, *args, lookup: str = "work_unit", **kwargs):
        self.lookup = lookup
        kwargs.setdefault("field_name", lookup)
        kwargs.setdefault("queryset", visible(WorkUnit))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.lookup}__in": WorkUnit.objects.subtree(value.pk)})


def visible_communities(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.visible_to(request.user).communities()


def visible_counties(request):
    if request is None:
        return Area.objects.none()
    return Area.objects.visible_to(request.user).filter(level=AreaLevel.COUNTY)


class WorkUnitFilterSet(SearchFilterSet):
    county = django_filters.ModelChoiceFilter(label=_("County"), queryset=visible_counties)
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent unit"),
        queryset=lambda request: (
            visible(WorkUnit)(request).filter(children__isnull=False).distinct()
        ),
    )

    class Meta:
        model = WorkUnit
        fields = ["county", "parent", "q"]


class CadreFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, phone or pinyin initials"), method="filter_q")
    work_unit = WorkUnitTreeFilter(label=_("Work unit"))
    party_standing = django_filters.ChoiceFilter(
        label=_("Party standing"), choices=PartyStanding.choices
    )
    registered = django_filters.BooleanFilter(
        label=_("Registered with a community"), method="filter_registered"
    )

    class Meta:
        model = Cadre
        fields = ["work_unit", "party_standing", "registered", "q"]

    def filter_q(self, queryset, name, value):
        full_phone = phones_shown_in_full(self.request, cadres_active_with)
        return queryset.filter(person_search("", value, full_phone=full_phone))

    def filter_registered(self, queryset, name, value):
        active = Registration.objects.active().filter(cadre=OuterRef("pk"))
        return queryset.filter(Exists(active)) if value else queryset.exclude(Exists(active))


class RegistrationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, phone or pinyin initials"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RegistrationStatus.choices)
    community = django_filters.ModelChoiceFilter(label=_("Community"), queryset=visible_communities)
    estate = django_filters.ModelChoiceFilter(
        label=_("Estate"), field_name="building__estate", queryset=visible(Estate)
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), queryset=visible(Building, "estate")
    )
    unit = django_filters.NumberFilter(label=_("Unit"), field_name="unit_id")
    unit_number = django_filters.NumberFilter(
        label=_("Unit number"), field_name="unit__number", min_value=1
    )
    work_unit = WorkUnitTreeFilter(label=_("Work unit"), lookup="cadre__work_unit")
    post = django_filters.ChoiceFilter(label=_("Post"), choices=CHIEF_CHOICES, method="filter_post")
    duty = django_filters.ChoiceFilter(
        label=_("Duty role"), choices=DUTY_CHOICES, method="filter_post"
    )

    class Meta:
        model = Registration
        fields = ["status", "community", "estate", "building", "unit", "work_unit", "q"]

    def filter_q(self, queryset, name, value):
        full_phone = phones_shown_in_full(self.request, registrations_open_with)
        return queryset.filter(person_search("cadre__", value, full_phone=full_phone))

    def filter_post(self, queryset, name, value):
        held = Post.objects.active().filter(registration=OuterRef("pk"), kind=value)
        return queryset.filter(Exists(held))


class PostFilterSet(django_filters.FilterSet):
    community = django_filters.NumberFilter(label=_("Community"), field_name="community_id")
    kind = django_filters.ChoiceFilter(label=_("Post"), choices=PostKind.choices)
    registration = django_filters.NumberFilter(
        label=_("Registration"), field_name="registration_id"
    )
    building = django_filters.NumberFilter(label=_("Building"), field_name="building_id")
    unit = django_filters.NumberFilter(label=_("Unit"), field_name="unit_id")
    unit_number = django_filters.NumberFilter(
        label=_("Unit number"), field_name="unit__number", min_value=1
    )
    active = django_filters.BooleanFilter(
        label=_("Active"), field_name="ended_at", lookup_expr="isnull"
    )

    class Meta:
        model = Post
        fields = ["community", "kind", "registration", "building", "unit", "active"]


class BranchFilterSet(SearchFilterSet):
    area = django_filters.NumberFilter(label=_("Area"), field_name="area_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=BranchKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=BranchStatus.choices)

    class Meta:
        model = Branch
        fields = ["area", "kind", "status", "q"]
