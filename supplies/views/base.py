"""What the supplies pages share: their sub-navigation."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communities.choices import AreaLevel
from supplies.choices import EntryKind
from supplies.models import Party

NOTICE_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.COMMUNITY)

RECORD_LABELS = {
    EntryKind.DONATION: _("Record a donation"),
    EntryKind.COORDINATION: _("Record coordinated goods"),
    EntryKind.TRANSFER: _("Record a transfer"),
    EntryKind.ISSUE: _("Record a hand-out"),
}


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    active: bool = False


def supplies_links(request) -> dict:
    """The pages of the ledger, the recording pages when the user keeps some holder's books,
    and the public notice of the user's own area."""
    user = request.user
    pages = [
        (_("Ledger"), reverse("supplies:ledger")),
        (_("Stock on hand"), reverse("supplies:balances")),
        (_("Totals"), reverse("supplies:totals")),
    ]
    area = user.area if user.area_id else None
    if area is not None and area.level in NOTICE_LEVELS:
        pages.append((_("Public notice"), reverse("supplies:notice", args=[area.pk])))
    record = []
    if Party.objects.held_by(user).exists():
        record = [
            (label, reverse("supplies:record", args=[kind.value]))
            for kind, label in RECORD_LABELS.items()
        ]
    return {
        "pages": [Link(label, url, url == request.path) for label, url in pages],
        "record": [Link(label, url, url == request.path) for label, url in record],
    }


class SuppliesPageMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["supplies_links"] = supplies_links(self.request)
        return context
