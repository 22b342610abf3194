from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "cadres"
    verbose_name = _("Cadres")

    def ready(self) -> None:
        from cadres.demo import seed
        from cadres.navigation import register_navigation
        from communities import demo

        demo.register(seed)
        register_navigation()
