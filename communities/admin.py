"""The admin of the communities app, and `ServiceAdmin`, the base every admin of ours saves through.

Every save and delete goes through the app's services, so the admin obeys the same rules as
every other door, and a service's refusal is shown to the user, never answered with a 500.
"""

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities import services
from communities.models import Area, Building, Estate, Grid, Unit, User

# What a service raises when it refuses a change; the database's own refusals included.
REFUSALS = (ValidationError, PermissionDenied, IntegrityError)


def refusal_messages(error: Exception) -> list[str]:
    """The words a user sees for a refusal; the database's own text is never shown."""
    if isinstance(error, ValidationError):
        return error.messages
    if isinstance(error, PermissionDenied) and str(error):
        return [str(error)]
    if isinstance(error, IntegrityError):
        return [gettext("The database refused this change; please check the values.")]
    return [gettext("You may not make this change.")]


class Refused(Exception):
    """A service refused what the admin asked; raised out of the request's transaction so that
    nothing of it is kept. Django's own `PermissionDenied` (a missing admin permission) stays a
    403: only refusals met inside `refusals()` become this."""

    def __init__(self, error: Exception):
        self.error = error
        super().__init__(" ".join(refusal_messages(error)))


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except REFUSALS as error:
        raise Refused(error) from error


def add_refusal(form: forms.BaseForm, error: Exception) -> None:
    """Puts a refusal on the form: a field's error next to the field, the rest above the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, refusal_messages(error))


class ServiceAdmin(admin.ModelAdmin):
    """Saves and deletes through services (`service_save`, `service_delete`); what a service
    refuses shows on the form or as a message, and nothing of it is saved.

    Django's admin validates the form, then calls `save_model` with no way back to the form, and
    a service knows rules the ModelForm does not: who may change what, rules over several rows,
    database triggers, and foreign keys PostgreSQL checks only at commit (deferred). So the
    form's validation ends with a try run: the service saves a copy of the form's object in a
    savepoint, the deferred constraints are checked there and then (`SET CONSTRAINTS ALL
    IMMEDIATE`), and the savepoint is always rolled back; a refusal becomes the form's errors
    and the page is shown again with what the user typed. This sits in `ModelForm._post_clean`,
    not `clean()`, because only there is the instance built from the cleaned data and
    model-validated, so the service sees exactly what would be saved.

    `save_model` then runs the service for real. A refusal that still comes (a concurrent
    change, an inline), and any refusal of a delete or an action, is raised as `Refused` out of
    the view's transaction, so all of the request is rolled back, and shown as an error message.
    """

    def service_save(self, request, obj: Model, form: forms.ModelForm, change: bool) -> Model:
        """Saves `obj` (built from `form`) through the app's service; returns the saved row."""
        raise NotImplementedError

    def service_delete(self, request, obj: Model) -> None:
        """Deletes `obj` through the app's service; by default Django's own delete."""
        obj.delete()

    # --- saving ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceCheckedForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if not self._errors:
                    model_admin.service_try(request, self, change)

        ServiceCheckedForm.__name__ = form_class.__name__
        return ServiceCheckedForm

    def service_try(self, request, form: forms.ModelForm, change: bool) -> None:
        """Runs `service_save` on a copy of the form's object in a savepoint that is always
        rolled back; what it refuses becomes the form's errors."""
        using = router.db_for_write(self.model)
        try:
            with transaction.atomic(using=using):
                self.service_save(request, copy.deepcopy(form.instance), form, change)
                with connections[using].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                transaction.set_rollback(True, using=using)
        except REFUSALS as error:
            add_refusal(form, error)

    def save_model(self, request, obj, form, change):
        with refusals():
            saved = self.service_save(request, obj, form, change)
        if saved is not None and saved is not obj:
            # The admin logs and redirects to the object it built: let it be the saved row.
            obj.__dict__.update(saved.__dict__)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- deleting ---

    def delete_model(self, request, obj):
        with refusals():
            self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            opts = self.opts
            change = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(object_id)],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(change)

    # --- actions ---

    def response_action(self, request, queryset):
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def run_service(self, request, service, success: str, **kwargs) -> None:
        """An action's service call, all or nothing: `success` is said only when it is done."""
        with refusals():
            service(actor=request.user, **kwargs)
        self.message_user(request, success, messages.SUCCESS)


# --- the communities admin ---------------------------------------------------------------------


class ScopedAdmin(ServiceAdmin):
    """Lists, opens and autocompletes only the rows the user sees (`visible_to`), as every
    page and endpoint does: a staff account that is not an administrator gets its own area."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Area)
class AreaAdmin(ScopedAdmin):
    list_display = ["name", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def service_save(self, request, obj, form, change):
        return services.area_save(actor=request.user, area=obj)


class PlaceAdmin(ScopedAdmin):
    def service_save(self, request, obj, form, change):
        return services.place_save(actor=request.user, place=obj)

    def service_delete(self, request, obj):
        services.place_delete(actor=request.user, place=obj)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Estate)
class EstateAdmin(PlaceAdmin):
    list_display = ["name", "kind", "community"]
    list_filter = ["kind"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]


@admin.register(Building)
class BuildingAdmin(PlaceAdmin):
    list_display = ["name", "estate", "community"]
    search_fields = ["name", "estate__name", "community__name"]
    autocomplete_fields = ["community", "estate"]
    list_select_related = ["community", "estate"]
    inlines = [UnitInline]

    def save_formset(self, request, form, formset, change):
        # The units typed on a building's page are saved and deleted through the service too.
        units = formset.save(commit=False)
        for unit in formset.deleted_objects:
            self.delete_model(request, unit)
        with refusals():
            for unit in units:
                services.place_save(actor=request.user, place=unit)


@admin.register(Unit)
class UnitAdmin(PlaceAdmin):
    list_display = ["__str__", "number", "households", "building"]
    search_fields = ["building__name", "building__community__name"]
    autocomplete_fields = ["building"]
    list_select_related = ["building__estate"]


class GridAdminForm(forms.ModelForm):
    buildings = forms.ModelMultipleChoiceField(
        label=_("buildings"), queryset=Building.objects.all(), required=False
    )

    class Meta:
        model = Grid
        fields = ["community", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["buildings"] = list(self.instance.buildings.all())


@admin.register(Grid)
class GridAdmin(PlaceAdmin):
    form = GridAdminForm
    list_display = ["name", "community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        buildings = Building.objects.visible_to(request.user)

        class ScopedGridForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["buildings"].queryset = buildings

        ScopedGridForm.__name__ = form_class.__name__
        return ScopedGridForm

    def service_save(self, request, obj, form, change):
        return services.grid_save(
            actor=request.user, grid=obj, buildings=form.cleaned_data["buildings"]
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "role", "area", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and area"), {"fields": ("role", "area")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and area"), {"fields": ("role", "area")}),
    )
