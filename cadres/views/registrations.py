"""One registration: its member, its history, and what the secretary does with it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from cadres import services
from cadres.choices import UNDECIDED_STATUSES, RegistrationStatus
from cadres.forms import PostForm, RegistrationForm, ReturnForm, TransferForm
from cadres.models import Post, Registration
from cadres.selectors import PLACE_RELATIONS, registrations_for_list
from communities.models import Area

from .base import add_service_errors, lost_race_message, run_service

ASSIGN_KINDS = {"estate": "zone_chief", "grid": "zone_chief", "building": "building_chief"}


class ScopedRegistrationMixin:
    context_object_name = "registration"
    template_name = "cadres/registration_detail.html"

    def get_queryset(self):
        return registrations_for_list(Registration.objects.visible_to(self.request.user))


class RegistrationDetailView(ScopedRegistrationMixin, DetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration, user = self.object, self.request.user
        editable = Registration.objects.editable_by(user).filter(pk=registration.pk).exists()
        context.update(
            editable=editable,
            undecided=registration.status in UNDECIDED_STATUSES,
            confirmed=registration.status == RegistrationStatus.CONFIRMED,
            history=Registration.objects.visible_to(user)
            .filter(cadre=registration.cadre_id)
            .exclude(pk=registration.pk)
            .select_related("community"),
            ended_posts=Post.objects.filter(
                registration=registration, ended_at__isnull=False
            ).select_related(*PLACE_RELATIONS),
        )
        if editable:
            assign = self.request.GET.get("assign", "")
            initial = (
                {"place": assign, "kind": ASSIGN_KINDS.get(assign.partition(":")[0], "unit_chief")}
                if assign
                else {}
            )
            context.setdefault("return_form", ReturnForm())
            context.setdefault("transfer_form", TransferForm(registration=registration))
            context.setdefault(
                "post_form", PostForm(community=registration.community, initial=initial)
            )
        return context


class RegistrationActionView(ScopedRegistrationMixin, DetailView):
    """A POST action on one registration. Out of scope is a 404; a form that fails shows the
    registration's page again with its errors."""

    http_method_names = ["post"]
    form_class = None
    form_name = ""

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if form is None or form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                if form is None:
                    for text in error.messages:
                        messages.error(request, text)
                    return self.detail()
                add_service_errors(form, error)
            except IntegrityError:
                messages.error(request, lost_race_message())
                return self.detail()
            except PermissionDenied as error:
                raise Http404 from error
            else:
                messages.success(request, message)
                return self.detail()
        return self.rerender(form)

    def get_form(self):
        if self.form_class is None:
            return None
        return self.form_class(self.request.POST, **self.form_kwargs())

    def form_kwargs(self) -> dict:
        return {}

    def perform(self, form) -> str:
        raise NotImplementedError

    def detail(self):
        return redirect("cadres:registration-detail", pk=self.object.pk)

    # The context flag under which the detail page shows each form.
    FORM_SHOWN_WHEN = {
        "return_form": "undecided",
        "transfer_form": "confirmed",
        "post_form": "confirmed",
    }

    def rerender(self, form):
        view = RegistrationDetailView(request=self.request, kwargs=self.kwargs)
        view.object = self.object
        context = view.get_context_data(**{self.form_name: form})
        if not (context["editable"] and context[self.FORM_SHOWN_WHEN[self.form_name]]):
            # The registration changed meanwhile and the page no longer shows this form.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
        return self.response_class(
            request=self.request, template=[self.template_name], context=context, status=400
        )


class RegistrationConfirmView(RegistrationActionView):
    def perform(self, form) -> str:
        services.registration_confirm(actor=self.request.user, registrations=[self.object])
        return _("Registration confirmed.")


class RegistrationReturnView(RegistrationActionView):
    form_class = ReturnForm
    form_name = "return_form"

    def perform(self, form) -> str:
        services.registration_return(
            actor=self.request.user,
            registrations=[self.object],
            reason=form.cleaned_data["reason"],
        )
        return _("Registration returned.")


class RegistrationTransferView(RegistrationActionView):
    form_class = TransferForm
    form_name = "transfer_form"

    def form_kwargs(self) -> dict:
        return {"registration": self.object}

    def perform(self, form) -> str:
        new = services.registration_transfer(
            actor=self.request.user,
            registration=self.object,
            community=form.cleaned_data["community"],
            room=form.cleaned_data["room"],
        )
        return _("Transferred to %(community)s; it waits there for confirmation.") % {
            "community": new.community.name
        }


class PostAssignView(RegistrationActionView):
    form_class = PostForm
    form_name = "post_form"

    def form_kwargs(self) -> dict:
        return {"community": self.object.community}

    def perform(self, form) -> str:
        post = services.post_assign(
            actor=self.request.user,
            registration=self.object,
            kind=form.cleaned_data["kind"],
            **form.cleaned_data["places"],
        )
        return _("%(name)s is now %(post)s.") % {"name": self.object.cadre.name, "post": post}


class PostEndView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        post = get_object_or_404(Post.objects.visible_to(request.user), pk=pk)
        run_service(
            request,
            lambda: services.post_end(actor=request.user, post=post),
            success=_("Post ended."),
        )
        return redirect("cadres:registration-detail", pk=post.registration_id)


class RegistrationCreateView(FormView):
    """The secretary enters a registration taken by phone, SMS, WeChat or in person."""

    form_class = RegistrationForm
    template_name = "cadres/registration_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.community = (
            Area.objects.hosting_for(request.user).filter(pk=request.user.area_id).first()
        )
        if self.community is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "community": self.community, "staff": True}

    def get_context_data(self, **kwargs):
        return super().get_context_data(community=self.community, **kwargs)

    def form_valid(self, form):
        try:
            registration = services.registration_submit(
                actor=self.request.user, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(
            self.request,
            _("Registration of %(name)s entered (%(status)s).")
            % {"name": registration.cadre.name, "status": registration.get_status_display()},
        )
        return redirect("cadres:registration-detail", pk=registration.pk)
