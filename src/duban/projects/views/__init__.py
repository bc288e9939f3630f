"""The project ledger's pages. Each module is one part: the lists and the project page (`projects`), the
procedures and reports with their actions (`procedures`, `reports`), the forms that change a project
(`actions`), the analysis pages (`analysis`: pipeline, investment, 三个一批) and the sheet (`excel`)."""

from duban.projects.views.actions import project_action, project_new
from duban.projects.views.analysis import batches, investment, pipeline
from duban.projects.views.excel import project_export, project_import, project_import_cancel, project_import_confirm, project_import_preview
from duban.projects.views.procedures import procedure_action, procedure_detail, procedure_list
from duban.projects.views.projects import my_projects, project_detail, project_list
from duban.projects.views.reports import report_action, report_detail, report_list

__all__ = [
    "batches", "investment", "my_projects", "pipeline", "procedure_action", "procedure_detail", "procedure_list", "project_action",
    "project_detail", "project_export", "project_import", "project_import_cancel", "project_import_confirm", "project_import_preview",
    "project_list", "project_new", "report_action", "report_detail", "report_list",
]
