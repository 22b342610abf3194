from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from communities import services
from communities.models import Area, Building, Estate, Grid, Unit, User


class ServiceSavingAdmin(admin.ModelAdmin):
    """Saves through the app's services, so the admin obeys the same rules as every other door."""

    def save_model(self, request, obj, form, change):
        services.place_save(actor=request.user, place=obj)

    def delete_model(self, request, obj):
        services.place_delete(actor=request.user, place=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.place_delete(actor=request.user, place=obj)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]

    def save_model(self, request, obj, form, change):
        services.area_save(actor=request.user, area=obj)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0


@admin.register(Estate)
class EstateAdmin(ServiceSavingAdmin):
    list_display = ["name", "kind", "community"]
    list_filter = ["kind"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]


@admin.register(Building)
class BuildingAdmin(ServiceSavingAdmin):
    list_display = ["name", "estate", "community"]
    search_fields = ["name", "estate__name", "community__name"]
    autocomplete_fields = ["community", "estate"]
    list_select_related = ["community", "estate"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(ServiceSavingAdmin):
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

    def clean(self):
        cleaned = super().clean()
        if "community" in cleaned and "buildings" in cleaned:
            self.instance.community = cleaned["community"]
            try:
                services.grid_buildings_check(
                    grid=self.instance, buildings=list(cleaned["buildings"])
                )
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    form = GridAdminForm
    list_display = ["name", "community"]
    search_fields = ["name", "community__name"]
    autocomplete_fields = ["community"]
    list_select_related = ["community"]

    def save_model(self, request, obj, form, change):
        services.place_save(actor=request.user, place=obj)

    def save_related(self, request, form, formsets, change):
        services.grid_set_buildings(
            actor=request.user, grid=form.instance, buildings=form.cleaned_data["buildings"]
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
