from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "duban.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self):
        from duban.core import work
        from duban.projects import kind
        from duban.projects.work import projects_work

        kind.register()  # the kernel's kind registry: procedures, reports, then the projects that contain them
        work.register(projects_work)  # the home page's 今日待办 (core knows no projects)

        from duban.core.excel import commands
        from duban.projects.excel.cli import COMMANDS

        commands.register(COMMANDS)  # `duban import projects` / `duban export projects`

        from duban.core import demo
        from duban.projects.demo import ProjectsDemo

        demo.register_story(ProjectsDemo)  # `duban demo` adds the year's key projects (core knows no projects app)
