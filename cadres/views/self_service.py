"""The public self-service page a member reaches by scanning the community's QR code."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, FormView, TemplateView

from cadres import services
from cadres.choices import RegistrationStatus
from cadres.forms import SelfServiceForm
from communities.models import Area
from communities.security import rate_limited

from .base import add_service_errors


def _signer() -> signing.Signer:
    # Made per call: it reads SECRET_KEY and SECRET_KEY_FALLBACKS as they are now.
    return signing.Signer(salt="cadres.self-service")


def community_token(community: Area) -> str:
    """The stable, unguessable part of a community's self-service address."""
    return _signer().sign(str(community.pk)).replace(":", ".")


def community_for_token(token: str) -> Area:
    try:
        pk = int(_signer().unsign(token.replace(".", ":")))
    except (signing.BadSignature, ValueError) as error:
        raise Http404 from error
    return get_object_or_404(Area.objects.communities(), pk=pk)


@method_decorator(login_not_required, name="dispatch")
class SelfServiceRegisterView(FormView):
    """A short Chinese form on a phone; the registration arrives as pending. Public, so each
    client address may send SELF_SERVICE_RATE submissions (counted before anything is read or
    written), and the form refuses what a script sends (SelfServiceForm)."""

    form_class = SelfServiceForm
    template_name = "cadres/self_service_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.community = community_for_token(kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        refusal = rate_limited(request, group="self-service", rate=settings.SELF_SERVICE_RATE)
        return refusal or super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "community": self.community}

    def get_context_data(self, **kwargs):
        return super().get_context_data(community=self.community, **kwargs)

    def form_valid(self, form):
        try:
            registration = services.registration_submit(actor=None, **form.service_arguments())
        except ValidationError as error:
            add_service_errors(form, error)
            form.renew_stamp()
            return self.form_invalid(form)
        outcome = (
            "transfer"
            if registration.status == RegistrationStatus.TRANSFER_REQUESTED
            else "pending"
        )
        return redirect(
            reverse("cadres:register-done", args=[self.kwargs["token"]]) + f"?outcome={outcome}"
        )


@method_decorator(login_not_required, name="dispatch")
class SelfServiceDoneView(TemplateView):
    template_name = "cadres/self_service_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            community=community_for_token(kwargs["token"]),
            transfer=self.request.GET.get("outcome") == "transfer",
            **kwargs,
        )


class CommunityQrView(DetailView):
    """A printable sheet with the community's QR code, generated here (no internet)."""

    template_name = "cadres/community_qr.html"
    context_object_name = "community"

    def get_queryset(self):
        return Area.objects.visible_to(self.request.user).communities()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(
            reverse("cadres:register", args=[community_token(self.object)])
        )
        context["register_url"] = url
        context["qr_svg"] = segno.make(url, error="m").svg_inline(scale=8, border=2)
        return context
