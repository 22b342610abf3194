"""Writes of posts: chiefs over places and the six duty roles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadres.choices import (
    PostKind,
    RegistrationStatus,
)
from cadres.models import Post, Registration
from communities.models import Building, Estate, Grid, Unit, User

from .base import lock_registrations, locked_for

_POST_PLACE = {
    PostKind.ZONE_CHIEF: ("estate", "grid"),
    PostKind.BUILDING_CHIEF: ("building",),
    PostKind.UNIT_CHIEF: ("unit",),
}
_PLACE_MODELS = {"estate": Estate, "grid": Grid, "building": Building, "unit": Unit}


@transaction.atomic
def post_assign(
    *,
    actor: User,
    registration: Registration,
    kind: str,
    estate: Estate | None = None,
    grid: Grid | None = None,
    building: Building | None = None,
    unit: Unit | None = None,
) -> Post:
    """Makes a confirmed member a chief over a place, or gives them a duty role.

    A place with an active chief already is refused with the holder's name; the place's row is
    locked, so two secretaries assigning the same building at once cannot both succeed.
    """
    (registration,) = lock_registrations(actor, [registration])
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationError(
            _("Only confirmed members hold posts; confirm the registration first."),
            code="not_confirmed",
        )
    post = Post(
        registration=registration,
        community_id=registration.community_id,
        kind=kind,
        estate=estate,
        grid=grid,
        building=building if kind != PostKind.UNIT_CHIEF or building else None,
        unit=unit,
        assigned_by=actor,
    )
    places = {name: getattr(post, name) for name in _POST_PLACE.get(kind, ())}
    given = {name: place for name, place in places.items() if place is not None}
    if kind in _POST_PLACE and len(given) != 1:
        field = _POST_PLACE[kind][0]
        raise ValidationError({field: _("Choose the place this chief is over.")})
    for name, place in given.items():
        _PLACE_MODELS[name].objects.select_for_update().filter(pk=place.pk).first()
        holder = _active_holder(kind, name, place)
        if holder is not None:
            raise ValidationError(
                {
                    name: _("%(place)s already has a %(post)s: %(holder)s. End that post first.")
                    % {"place": place, "post": post.get_kind_display(), "holder": holder}
                },
                code="post_taken",
            )
    post.full_clean()
    post.save()
    return post


def _active_holder(kind: str, field: str, place) -> str | None:
    return (
        Post.objects.active()
        .filter(kind=kind, **{field: place})
        .values_list("registration__cadre__name", flat=True)
        .first()
    )


@transaction.atomic
def post_end(*, actor: User, post: Post) -> Post:
    """Ends a post; its row stays as history. Ending an ended post changes nothing."""
    post = locked_for(Post, actor, post.pk, _("You may only change posts of your own community."))
    if post.ended_at is None:
        post.ended_at = timezone.now()
        post.save(update_fields=["ended_at", "updated_at"])
    return post
