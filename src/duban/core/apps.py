from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "duban.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from duban.core import signals, versions  # noqa: F401  (signals: sign-in events go to the audit trail)

        versions.install_everywhere()  # every write to a business table raises the data version
