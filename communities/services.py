"""Writes of the communities app. Views, serializers, the admin and commands call these."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from communities.models import Area, Building, Estate, Grid, GridBuilding, Unit, User

Place = Estate | Building | Unit | Grid


def check_deferred_constraints() -> None:
    """Checks the deferred foreign keys now instead of at commit, where a broken one would
    surface as an unexplained error: e.g. a building moved to another community while its grid
    or the members registered in it stay behind."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    except IntegrityError as error:
        raise ValidationError(
            _(
                "Other records depend on this as it was (grids, registrations, posts); change "
                "or remove those first."
            ),
            code="dependents",
        ) from error
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _ensure_can_edit_community(actor: User, community_id: int | None) -> None:
    if not Area.objects.hosting_for(actor).filter(pk=community_id).exists():
        raise PermissionDenied(_("You may only change places of your own community."))


@transaction.atomic
def area_save(*, actor: User, area: Area) -> Area:
    """Creates or changes an area of the tree; only administrators do this."""
    if not actor.sees_everything:
        raise PermissionDenied(_("Only administrators change the area tree."))
    area.full_clean()
    area.save()
    area.refresh_from_db(fields=["path"])
    return area


@transaction.atomic
def place_save(*, actor: User, place: Place) -> Place:
    """Creates or changes an estate, building, unit or grid of a community the actor may edit.

    A place moved to another community is checked against both the old and the new one.
    """
    if place.pk is not None:
        stored = type(place).objects.select_for_update().get(pk=place.pk)
        _ensure_can_edit_community(actor, stored.owner_community_id)
    _ensure_can_edit_community(actor, place.owner_community_id)
    place.full_clean()
    place.save()
    check_deferred_constraints()
    return place


@transaction.atomic
def place_delete(*, actor: User, place: Place) -> None:
    """Deletes a place that nothing else depends on any more."""
    _ensure_can_edit_community(actor, place.owner_community_id)
    try:
        with transaction.atomic():
            place.delete()
    except ProtectedError as error:
        raise ValidationError(
            _("%(place)s cannot be deleted while %(count)s record(s) still depend on it.")
            % {"place": place, "count": len(error.protected_objects)},
            code="protected",
        ) from error


def grid_buildings_check(*, grid: Grid, buildings: list[Building]) -> None:
    """Raises a ValidationError naming each building of another community or another grid."""
    foreign = [b.name for b in buildings if b.community_id != grid.community_id]
    if foreign:
        raise ValidationError(
            {
                "buildings": _("These buildings belong to another community: %(names)s.")
                % {"names": "、".join(foreign)}
            }
        )
    taken = GridBuilding.objects.filter(building__in=buildings).select_related("grid", "building")
    if grid.pk:
        taken = taken.exclude(grid=grid)
    if taken:
        raise ValidationError(
            {
                "buildings": _("Already in another grid: %(pairs)s.")
                % {"pairs": "、".join(f"{m.building.name}（{m.grid.name}）" for m in taken)}
            }
        )


@transaction.atomic
def grid_set_buildings(*, actor: User, grid: Grid, buildings: Iterable[Building]) -> Grid:
    """Makes `buildings` exactly the buildings of `grid`.

    Every building must be of the grid's community and in no other grid; the database holds both
    rules too (composite foreign keys, one grid per building).
    """
    _ensure_can_edit_community(actor, grid.community_id)
    buildings = list(buildings)
    grid_buildings_check(grid=grid, buildings=buildings)
    GridBuilding.objects.filter(grid=grid).exclude(building__in=buildings).delete()
    present = set(grid.memberships.values_list("building_id", flat=True))
    GridBuilding.objects.bulk_create(
        GridBuilding(grid=grid, building=b, community_id=grid.community_id)
        for b in buildings
        if b.pk not in present
    )
    return grid


@transaction.atomic
def grid_save(*, actor: User, grid: Grid, buildings: Iterable[Building] | None = None) -> Grid:
    """Creates or changes a grid and, when given, sets its buildings in the same transaction."""
    if buildings is not None:
        buildings = list(buildings)
    # Checked before saving, so a grid moved to another community names the buildings it would
    # leave behind rather than failing on the foreign keys.
    kept = buildings if buildings is not None else list(grid.buildings.all()) if grid.pk else []
    grid_buildings_check(grid=grid, buildings=kept)
    place_save(actor=actor, place=grid)
    if buildings is not None:
        grid_set_buildings(actor=actor, grid=grid, buildings=buildings)
    return grid
