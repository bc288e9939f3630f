from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "duban.supervision"
    label = "supervision"
    verbose_name = _("督办")

    def ready(self):
        from duban.core import work
        from duban.supervision.work import supervision_work

        work.register(supervision_work)
