from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "duban.appeals"
    label = "appeals"
    verbose_name = _("企业诉求")

    def ready(self):
        from duban.appeals import kind
        from duban.appeals.work import appeals_work
        from duban.core import work

        work.register(appeals_work)  # the home page's 今日待办 (core knows no appeals)

        kind.register()  # the kernel's kind registry: the runner, lights, sweep and analytics know appeals by it

        from duban.appeals.demo import AppealsDemo
        from duban.core import demo

        demo.register_story(AppealsDemo)  # `duban demo` adds a year of appeals (core knows no appeals app)
