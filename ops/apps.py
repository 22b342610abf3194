from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operating the app: backing up and restoring its data (`manage.py backup`, `restore`)."""

    name = "ops"
    verbose_name = _("Operations")
