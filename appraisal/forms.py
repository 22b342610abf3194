"""Forms of the appraisal pages. They collect input; the services decide (who may enter what,
the quota, a closed period) and their refusals are shown on the field they name.

The input forms are named by the model's fields, so a service's error (the quota refusal on
`final_grade`) lands next to the field; on the appraisal's page each form has the input as its
prefix, so several can sit on one page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cadres.models import Cadre, WorkUnit
from communities.choices import AreaLevel
from communities.models import Area

from .choices import CommendationKind, Grade, Input, PeriodStatus
from .models import Appraisal, Period

# A county's workbook of 20,000 cadres is a few megabytes; anything far larger is not one.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
NOTE_ROWS = 3


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def score_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def note_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": NOTE_ROWS}),
    )


# --- periods ----------------------------------------------------------------------------------


class PeriodForm(forms.ModelForm):
    """A new period: the organisation department's for its own county, an administrator's for
    the county chosen. The model's constraints put their errors on the fields (the weights not
    adding up to 100 on the first weight, thresholds out of order on “excellent from”)."""

    class Meta:
        model = Period
        fields = [
            "county",
            "name",
            "starts_on",
            "ends_on",
            "weight_inspection",
            "weight_talk",
            "weight_evaluation",
            "excellent_from",
            "competent_from",
            "basic_from",
            "points_satisfied",
            "points_basic",
            "points_unsatisfied",
        ]
        widgets = {"starts_on": date_input(), "ends_on": date_input()}

    def __init__(self, *args, user, **kwargs):
        if not user.sees_everything:
            kwargs["instance"] = Period(county_id=user.area_id)
        super().__init__(*args, **kwargs)
        if user.sees_everything:
            self.fields["county"].queryset = Area.objects.filter(level=AreaLevel.COUNTY).order_by(
                "path"
            )
        else:
            del self.fields["county"]


class QuotaForm(forms.Form):
    """A work unit's “excellent” places in the period (单列核定)."""

    work_unit = forms.ModelChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    excellent = forms.IntegerField(
        label=_("Excellent places"),
        min_value=0,
        max_value=10_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, period: Period, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_unit"].queryset = WorkUnit.objects.filter(
            county=period.county_id
        ).order_by("name")


class WorkbookForm(forms.Form):
    """Which appraisal sheets to download: a work unit's (and the units under it), a
    township's, or — neither chosen — the whole county as one workbook."""

    work_unit = forms.ModelChoiceField(
        label=_("Work unit"), queryset=WorkUnit.objects.none(), required=False
    )
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args, period: Period, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period
        self.fields["work_unit"].queryset = (
            WorkUnit.objects.visible_to(user).filter(county=period.county_id).order_by("name")
        )
        self.fields["township"].queryset = (
            Area.objects.visible_to(user)
            .filter(level=AreaLevel.TOWNSHIP, parent=period.county_id)
            .order_by("path")
        )
        self.fields["work_unit"].empty_label = _("(the whole county)")
        self.fields["township"].empty_label = _("(the whole county)")

    def clean(self):
        data = super().clean()
        if data.get("work_unit") and data.get("township"):
            raise ValidationError(_("Choose a work unit or a township, not both."))
        return data

    def scope_label(self) -> str:
        """What the workbook covers, for its title line and file name."""
        chosen = self.cleaned_data.get("work_unit") or self.cleaned_data.get("township")
        return chosen.name if chosen else self.period.county.name


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled-in workbook (.xlsx)"),
        help_text=_("A workbook downloaded from this page, with scores filled in."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB; an appraisal workbook is far smaller."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload


# --- the inputs of an appraisal ----------------------------------------------------------------


class InputForm(forms.Form):
    """One input of an appraisal; its fields are the model's, its changes go to
    `services.appraisal_update`."""

    input: str

    def __init__(self, *args, appraisal: Appraisal, **kwargs):
        kwargs.setdefault("prefix", self.input)
        kwargs.setdefault("initial", {name: getattr(appraisal, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        self.appraisal = appraisal

    @property
    def title(self) -> str:
        return Input(self.input).label

    def changes(self) -> dict:
        return dict(self.cleaned_data)


class InspectionForm(InputForm):
    input = Input.INSPECTION
    inspection_score = score_field(_("Score (0–100)"))
    inspection_note = note_field(_("What was seen"))


class TalkForm(InputForm):
    input = Input.TALK
    talk_score = score_field(_("Score (0–100)"))
    talk_note = note_field(_("What was said"))


class EvaluationForm(InputForm):
    input = Input.EVALUATION
    satisfied = count_field(_("Satisfied"))
    basically_satisfied = count_field(_("Basically satisfied"))
    unsatisfied = count_field(_("Unsatisfied"))


class GradeForm(InputForm):
    input = Input.GRADE
    final_grade = forms.ChoiceField(
        label=_("Final grade"),
        choices=[("", _("Not yet graded")), *Grade.choices],
        required=False,
    )
    opinion = note_field(_("Appraisal opinion"))


INPUT_FORMS: dict[str, type[InputForm]] = {
    form.input: form for form in (InspectionForm, TalkForm, EvaluationForm, GradeForm)
}


# --- commendations ----------------------------------------------------------------------------


class CommendationForm(forms.Form):
    cadre = forms.ModelChoiceField(label=_("Cadre"), queryset=Cadre.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=CommendationKind.choices)
    awarded_on = forms.DateField(label=_("Date"), widget=date_input())
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": NOTE_ROWS})
    )
    approver = forms.CharField(
        label=_("Approved by"), max_length=100, help_text=_("E.g. 中共铁岭县委组织部.")
    )
    period = forms.ModelChoiceField(
        label=_("Appraisal period"),
        queryset=Period.objects.none(),
        required=False,
        help_text=_("Optional: the open appraisal period it belongs to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The organisation department records commendations of its own county's cadres.
        cadres = Cadre.objects.visible_to(user)
        if not user.sees_everything:
            cadres = cadres.filter(work_unit__county=user.area_id)
        self.fields["cadre"].queryset = cadres.select_related("work_unit").order_by(
            "work_unit__name", "name_initials", "name", "pk"
        )
        self.fields["cadre"].label_from_instance = lambda cadre: (
            f"{cadre.name} · {cadre.work_unit.name}"
        )
        self.fields["period"].queryset = Period.objects.managed_by(user).filter(
            status=PeriodStatus.OPEN
        )
        self.initial.setdefault("awarded_on", timezone.localdate())
