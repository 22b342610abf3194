from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from audit import access
        from audit.context import carry_context_in_commands
        from audit.navigation import register_navigation
        from cadres import personal_data

        carry_context_in_commands()
        register_navigation()
        personal_data.register_access_recorder(access.record)
