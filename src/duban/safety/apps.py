from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "duban.safety"
    label = "safety"
    verbose_name = _("安全稳定")

    def ready(self):
        from duban.core import work
        from duban.safety.work import duty_work, safety_work

        work.register(safety_work)
        work.register(duty_work)  # the home page's "my work" (core knows no safety ledger)

        from duban.safety import kind

        kind.register()  # the kernel's kind registry: the runner, lights, sweep and analytics know hazards by it

        from duban.core import demo
        from duban.safety.demo import SafetyDemo

        demo.register_story(SafetyDemo)  # `duban demo` adds the hazard ledger (core knows no safety app)

        from duban.core.excel import commands
        from duban.safety.excel.cli import COMMANDS

        commands.register(COMMANDS)  # `duban import hazards` / `duban export hazards` (one command per verb)
