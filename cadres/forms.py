"""Forms of the browser pages. They collect input; the services decide."""

import hashlib
from datetime import datetime

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.choices import CHIEF_KINDS, Channel, Gender, PartyStanding, PostKind
from cadres.models import WorkUnit
from cadres.services import CadreDetails
from cadres.validators import (
    normalize_id_number,
    normalize_phone,
    validate_id_number,
    validate_mobile,
)
from communities.models import Area, Building, Estate, Grid, Unit


class RegistrationForm(forms.Form):
    """What a member states when registering with `community`; the short form of the
    self-service page, and with `staff=True` the secretary's entry form."""

    # Data minimisation: each field says why it is asked. The public self-service form asks
    # only what the workflow needs; gender and the ID-card number are for the secretary's entry
    # form alone (see __init__).
    # Who the member is, on the workbench, the roster and the appraisal sheet.
    name = forms.CharField(label=_("Name"), max_length=50)
    # Identifies the member (one cadre per phone: a second registration is found, not
    # duplicated) and lets the secretary call them.
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # Secretary's form only: the roster has the column, no decision needs it.
    gender = forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect, required=False
    )
    # Secretary's form only: finds a member whose phone changed; the public form identifies
    # by phone and never asks for the most sensitive number.
    id_number = forms.CharField(
        label=_("ID-card number"), max_length=20, required=False, help_text=_("Optional.")
    )
    # The work unit's side of the registration and the appraisal (by work unit and its quota).
    work_unit = forms.ModelChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    # Optional: printed on the appraisal sheet (职务) the county fills in.
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    # A branch is established only with three full Party members.
    party_standing = forms.ChoiceField(
        label=_("Party standing"),
        choices=PartyStanding.choices,
        initial=PartyStanding.FULL,
        widget=forms.RadioSelect,
    )
    # Optional: where the member lives decides the posts they may hold (楼长, 单元长) and the
    # gap view; the room lets the secretary confirm the member lives there.
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False
    )
    unit_number = forms.IntegerField(label=_("Unit"), min_value=1, max_value=99, required=False)
    room = forms.CharField(label=_("Room"), max_length=20, required=False)
    # The commitment letter (承诺书) is part of registering.
    commitment = forms.BooleanField(
        label=_("I have signed the commitment letter (承诺书)"), required=False
    )

    def __init__(self, *args, community: Area, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        county_ids = [int(part) for part in community.path.split("/") if part]
        self.fields["work_unit"].queryset = WorkUnit.objects.filter(
            county_id__in=county_ids
        ).order_by("name")
        self.fields["building"].queryset = Building.objects.filter(
            community=community
        ).select_related("estate")
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Channel"),
                choices=[
                    (c.value, c.label)
                    for c in Channel
                    if c not in (Channel.SELF_SERVICE, Channel.TRANSFER)
                ],
            )
            self.fields["commitment_signed_on"] = forms.DateField(
                label=_("Commitment letter signed on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields["pioneer_post"] = forms.CharField(
                label=_("Pioneer post"), max_length=100, required=False
            )
            del self.fields["commitment"]
        else:
            del self.fields["gender"]
            del self.fields["id_number"]

    def clean_phone(self) -> str:
        phone = normalize_phone(self.cleaned_data["phone"])
        validate_mobile(phone)
        return phone

    def clean_id_number(self) -> str | None:
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if value:
            validate_id_number(value)
        return value or None

    def clean(self):
        data = super().clean()
        number, building = data.get("unit_number"), data.get("building")
        data["unit"] = None
        if number and not building:
            self.add_error("building", _("Choose the building of this unit."))
        elif number and building:
            data["unit"] = Unit.objects.filter(building=building, number=number).first()
            if data["unit"] is None:
                self.add_error(
                    "unit_number",
                    _("%(building)s has no unit %(number)s.")
                    % {"building": building, "number": number},
                )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        signed_on = data.get("commitment_signed_on")
        if data.get("commitment"):
            signed_on = timezone.localdate()
        return {
            "community": self.community,
            "details": CadreDetails(
                name=data["name"],
                phone=data["phone"],
                work_unit=data["work_unit"],
                gender=data.get("gender") or "",
                id_number=data.get("id_number"),
                position=data.get("position", ""),
                party_standing=data["party_standing"],
            ),
            "building": data.get("building"),
            "unit": data.get("unit"),
            "room": data.get("room", ""),
            "channel": data.get("channel", Channel.SELF_SERVICE),
            "commitment_signed_on": signed_on,
            "pioneer_post": data.get("pioneer_post", ""),
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"), max_length=500, widget=forms.TextInput()
    )


class TransferForm(forms.Form):
    """The member moved: to which community of the county, and where in it."""

    community = forms.ModelChoiceField(label=_("New community"), queryset=Area.objects.none())
    room = forms.CharField(label=_("Room"), max_length=20, required=False)

    def __init__(self, *args, registration, **kwargs):
        super().__init__(*args, **kwargs)
        county_path = "/".join(registration.community.path.split("/")[:3]) + "/"
        self.fields["community"].queryset = (
            Area.objects.communities()
            .filter(path__startswith=county_path)
            .exclude(pk=registration.community_id)
        )


class PostForm(forms.Form):
    """A post for a confirmed member: a chief over one place of the community, or a duty role.

    One select lists every place, grouped, with values like "building:12"."""

    kind = forms.ChoiceField(label=_("Post"), choices=PostKind.choices)
    place = forms.ChoiceField(label=_("Over"), required=False)

    PLACE_MODELS = {"estate": Estate, "grid": Grid, "building": Building, "unit": Unit}

    def __init__(self, *args, community: Area, **kwargs):
        super().__init__(*args, **kwargs)
        estates = Estate.objects.filter(community=community)
        grids = Grid.objects.filter(community=community)
        buildings = Building.objects.filter(community=community).select_related("estate")
        units = Unit.objects.filter(building__community=community).select_related(
            "building__estate"
        )
        self.fields["place"].choices = [
            ("", "—"),
            (_("Zones"), [(f"estate:{e.pk}", str(e)) for e in estates]),
            (_("Grids"), [(f"grid:{g.pk}", str(g)) for g in grids]),
            (_("Buildings"), [(f"building:{b.pk}", str(b)) for b in buildings]),
            (_("Units"), [(f"unit:{u.pk}", str(u)) for u in units]),
        ]
        self.community = community

    def clean(self):
        data = super().clean()
        kind, place = data.get("kind"), data.get("place")
        data["places"] = {}
        if kind in CHIEF_KINDS and place:
            field, _sep, pk = place.partition(":")
            model = self.PLACE_MODELS[field]
            data["places"] = {field: model.objects.filter(pk=pk).first()}
        return data


SELF_SERVICE_SALT = "cadres.self-service.form"


def self_service_stamp(community: Area, issued_at: datetime | None = None) -> str:
    """The signed time the self-service form of `community` is handed out (now by default)."""
    issued_at = issued_at or timezone.now()
    return signing.dumps(
        {"community": community.pk, "at": issued_at.timestamp()}, salt=SELF_SERVICE_SALT
    )


class SelfServiceForm(RegistrationForm):
    """The public page's form: RegistrationForm, plus two checks against scripted mass sign-ups
    that need nothing from the internet and ask nothing of a person (no captcha to read):

    - a trap field that people never see (off-screen, out of the tab order, hidden from screen
      readers); a script that fills every field fills it;
    - the signed time the form was handed out: sent back sooner than
      SELF_SERVICE_MIN_FILL_SECONDS (no person types a name, a phone and a work unit that fast),
      later than SELF_SERVICE_FORM_MAX_AGE, or forged, it is refused and shown again with a
      fresh stamp. A stamp is good for one sign-up (kept as used in the shared cache until it
      would expire anyway), so a script must fetch the page and wait for every sign-up, and the
      per-address rate limit of the view bounds what it can send.

    Either refusal changes nothing."""

    leave_empty = forms.CharField(
        label="",
        required=False,
        widget=forms.TextInput(
            attrs={"class": "trap", "autocomplete": "off", "tabindex": "-1", "aria-hidden": "true"}
        ),
    )
    issued = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, community: Area, **kwargs):
        super().__init__(*args, community=community, **kwargs)
        self.fields["issued"].initial = self_service_stamp(community)
        if self.is_bound:
            self.data = self.data.copy()

    def clean(self):
        data = super().clean()
        if data.get("leave_empty"):
            raise forms.ValidationError(
                _("The form could not be accepted. Please check it and submit it again."),
                code="trap",
            )
        self._check_stamp(self.data.get("issued", ""))
        if not self.errors:
            self._use_stamp(self.data.get("issued", ""))
        return data

    def renew_stamp(self) -> None:
        """The form goes back to the person after its stamp was used (the service refused it)."""
        self.data["issued"] = self_service_stamp(self.community)

    def _use_stamp(self, stamp: str) -> None:
        key = "self-service-stamp:" + hashlib.sha256(stamp.encode()).hexdigest()
        if not cache.add(key, 1, timeout=settings.SELF_SERVICE_FORM_MAX_AGE + 60):
            self.renew_stamp()
            raise forms.ValidationError(
                _(
                    "This form has already been sent. If your registration is not confirmed "
                    "yet, check your details and submit it again."
                ),
                code="used",
            )

    def _check_stamp(self, stamp: str) -> None:
        try:
            issued = signing.loads(stamp, salt=SELF_SERVICE_SALT)
            age = timezone.now().timestamp() - issued["at"]
            valid = issued["community"] == self.community.pk
        except (signing.BadSignature, KeyError, TypeError):
            valid = False
        if not valid or age > settings.SELF_SERVICE_FORM_MAX_AGE:
            self.data["issued"] = self_service_stamp(self.community)
            raise forms.ValidationError(
                _("This form has expired. Please check your details and submit it again."),
                code="expired",
            )
        if age < settings.SELF_SERVICE_MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _(
                    "The form was sent too quickly after it was opened. Please check your "
                    "details and submit it again."
                ),
                code="too_fast",
            )
