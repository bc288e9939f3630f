from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "duban.ledger"
    label = "ledger"
    verbose_name = _("重点工作台账")

    def ready(self):
        from duban.core import work
        from duban.ledger.work import ledger_work

        work.register(ledger_work)  # the home page's "my work" (core knows no ledger)
