"""TEMPORARY (foundation commit): the pages are being written; every route answers 404 until they land."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


project_list = my_projects = project_new = pipeline = investment = batches = procedure_list = report_list = _missing
project_export = project_import = project_import_preview = project_import_confirm = project_import_cancel = _missing
procedure_detail = procedure_action = report_detail = report_action = project_detail = project_action = _missing
