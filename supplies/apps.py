from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        from communities import demo
        from supplies.demo import seed
        from supplies.navigation import register_navigation

        demo.register(seed)
        register_navigation()
