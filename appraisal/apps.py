from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self) -> None:
        from appraisal.demo import seed
        from appraisal.navigation import register_navigation
        from communities import demo

        demo.register(seed)
        register_navigation()
