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

        from duban.ledger import kind

        kind.register()

        from duban.core import demo
        from duban.ledger.demo import LedgerDemo

        demo.register_story(LedgerDemo)  # `duban demo` loads the campaign (core knows no ledger)  # the kernel's kind registry: the runner, lights, sweep and analytics know tasks by it

        from django.db.models.signals import post_migrate

        from duban.ledger.search import repair_after_migrate

        # SQLite drops a table's triggers when a migration rebuilds it: put the text index's back.
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="ledger.search.repair")
