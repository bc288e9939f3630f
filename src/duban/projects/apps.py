from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "duban.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self):
        from duban.projects import kind

        kind.register()  # the kernel's kind registry: procedures, reports, then the projects that contain them
