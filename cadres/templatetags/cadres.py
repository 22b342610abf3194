"""Showing personal data in pages: the one rule of cadres.personal_data."""

from django import template

from cadres import personal_data

register = template.Library()


@register.simple_tag(takes_context=True)
def registration_phone(context, registration) -> str:
    """The member's phone on a registration, as the page's user may see it."""
    return personal_data.shown_phone(
        context["request"].user,
        registration.cadre.phone,
        registration.community_id,
        registration.status,
    )


@register.filter
def masked_id(id_number: str | None) -> str:
    return personal_data.shown_id_number(id_number)
