"""Quick entry of an arrival (a donation, coordinated goods) or an outgoing (a transfer, a
hand-out): one header and up to five item lines, recorded all or none."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from cadres.views.base import lost_race_message
from supplies import services
from supplies.choices import EntryKind
from supplies.forms import (
    Catalogue,
    EntryHeaderForm,
    LineFormSet,
    known_donors,
    known_recipients,
)
from supplies.models import Party

from .base import RECORD_LABELS, SuppliesPageMixin

ARRIVALS = (EntryKind.DONATION, EntryKind.COORDINATION)
# Service errors on these fields of an entry belong on its line, the others on the header.
LINE_FIELDS = {"quantity": "quantity", "packs": "quantity", "value": "value", "item": "item"}


class RecordView(SuppliesPageMixin, TemplateView):
    template_name = "supplies/entry_form.html"
    http_method_names = ["get", "post", "head", "options"]

    def dispatch(self, request, *args, kind: str, **kwargs):
        if kind not in EntryKind.values:
            raise Http404
        self.kind = EntryKind(kind)
        if request.user.is_authenticated and not Party.objects.held_by(request.user).exists():
            raise Http404
        self.catalogue = Catalogue()
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        header = EntryHeaderForm(data, kind=self.kind, user=self.request.user, prefix="entry")
        lines = LineFormSet(data, prefix="lines", form_kwargs={"catalogue": self.catalogue})
        return header, lines

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "form" not in context:
            context["form"], context["lines"] = self.forms()
        user = self.request.user
        context.update(
            kind=self.kind,
            title=RECORD_LABELS[self.kind],
            item_options=self.catalogue.options,
            donors=known_donors(user) if self.kind in ARRIVALS else [],
            recipients=known_recipients(user) if self.kind == EntryKind.ISSUE else [],
        )
        return context

    def post(self, request, *args, **kwargs):
        form, lines = self.forms(request.POST)
        if form.is_valid() and lines.is_valid():
            filled = [line for line in lines if not line.is_blank]
            if not filled:
                form.add_error(None, _("Add at least one item."))
            else:
                entries = self.record(form, filled)
                if entries:
                    messages.success(
                        request,
                        _("Recorded: vouchers %(vouchers)s.")
                        % {"vouchers": "、".join(entry.voucher for entry in entries)},
                    )
                    return redirect("supplies:entry-detail", pk=entries[0].pk)
        context = self.get_context_data(form=form, lines=lines)
        return self.render_to_response(context, status=400)

    def record(self, form, filled) -> list:
        """Records the lines; on a refusal puts the errors on the lines and the header and
        returns nothing (nothing is saved, not even a new donor)."""
        try:
            with transaction.atomic():
                header = form.header()
                if "donor_name" in form.fields:
                    header["from_party"] = self.donor(form, header["to_party"])
                return services.entries_record(
                    actor=self.request.user,
                    kind=self.kind,
                    lines=[line.entry_line() for line in filled],
                    **header,
                )
        except services.LineErrors as errors:
            for index, error in errors.by_line.items():
                self.show_error(form, filled[index], error)
        except ValidationError as error:
            self.show_error(form, None, error)
        except IntegrityError:
            form.add_error(None, lost_race_message())
        except PermissionDenied as error:
            raise Http404 from error
        return []

    def donor(self, form, to_party: Party) -> Party | None:
        """The outside party named as donor in the receiver's county: the known one of that
        name, or a new one of the kind given."""
        data = form.cleaned_data
        name = data["donor_name"]
        if not name:
            return None
        try:
            known = Party.objects.outside().filter(county=to_party.county_id, name=name)
            donor = known.filter(kind=data["donor_kind"]).first() or known.first()
            if donor is None:
                donor = services.outside_party(
                    actor=self.request.user,
                    county=to_party.county,
                    kind=data["donor_kind"],
                    name=name,
                )
            if data.get("donor_anonymous") and not donor.anonymous:
                donor.anonymous = True
                services.party_save(actor=self.request.user, party=donor)
        except ValidationError as error:
            raise ValidationError({"from_party": error.messages}) from error
        return donor

    @staticmethod
    def show_error(form, line, error: ValidationError) -> None:
        """A line's own errors go on the line, the rest on the header once each."""
        if not hasattr(error, "error_dict"):
            target = line or form
            for message in error.messages:
                if message not in target.non_field_errors():
                    target.add_error(None, message)
            return
        for field, errors in error.error_dict.items():
            if line is not None and field in LINE_FIELDS:
                line.add_error(LINE_FIELDS[field], errors)
                continue
            name = form.field_for(field)
            shown = form.errors.get(name or "__all__", [])
            fresh = [message for e in errors for message in e.messages if message not in shown]
            if fresh:
                form.add_error(name, fresh)
