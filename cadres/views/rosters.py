"""The organisation department imports work units' rosters (花名册) of cadres from Excel."""

import tempfile

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from cadres.exports import xlsx_response
from cadres.imports import ROSTER_COLUMNS, roster_import, write_roster_template
from cadres.models import WorkUnit

# A unit's roster of a few thousand rows is well under a megabyte.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class RosterImportForm(forms.Form):
    work_unit = forms.ModelChoiceField(label=_("Work unit"), queryset=WorkUnit.objects.none())
    file = forms.FileField(
        label=_("Roster (.xlsx)"),
        help_text=_("The first sheet, with a header row as in the template."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )
    all_or_nothing = forms.BooleanField(
        label=_("Import nothing unless every row is good"), required=False
    )

    def __init__(self, *args, work_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_unit"].queryset = work_units

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB; a roster is far smaller."),
                params={"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload


class EditableWorkUnitsMixin:
    """Pages for those who run work units (the organisation department, admins); anyone else
    gets a 404, as if the page did not exist."""

    def dispatch(self, request, *args, **kwargs):
        self.work_units = WorkUnit.objects.editable_by(request.user).order_by("name")
        if not self.work_units.exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class RosterImportView(EditableWorkUnitsMixin, FormView):
    """Upload a unit's roster; the page then shows what was imported, and each bad row with its
    row number and reason."""

    form_class = RosterImportForm
    template_name = "cadres/roster_import.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "work_units": self.work_units}

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=ROSTER_COLUMNS, **kwargs)

    def form_valid(self, form):
        try:
            result = roster_import(
                actor=self.request.user,
                work_unit=form.cleaned_data["work_unit"],
                fileobj=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
            return self.form_invalid(form)
        context = self.get_context_data(
            form=form, result=result, work_unit=form.cleaned_data["work_unit"]
        )
        return self.render_to_response(context)


class RosterTemplateView(EditableWorkUnitsMixin, View):
    """An empty roster with the header row, to fill in and import."""

    def get(self, request):
        fileobj = tempfile.TemporaryFile(suffix=".xlsx")  # the response closes it
        write_roster_template(fileobj)
        day = timezone.localdate().strftime("%Y%m%d")
        return xlsx_response(
            fileobj,
            filename=f"{gettext('Roster template')}-{day}.xlsx",
            ascii_filename=f"roster-template-{day}.xlsx",
        )
