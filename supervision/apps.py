from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from communities import demo
        from supervision.demo import seed
        from supervision.navigation import register_navigation

        demo.register(seed)
        register_navigation()
