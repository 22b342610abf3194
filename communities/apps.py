from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Areas and accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from communities.security import mark_session_seen

        user_logged_in.connect(mark_session_seen, dispatch_uid="communities.mark_session_seen")
