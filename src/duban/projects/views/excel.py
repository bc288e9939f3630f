"""TEMPORARY: being written (foundation commit); answers 404 until it lands."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


project_export = project_import = project_import_cancel = project_import_confirm = project_import_preview = _missing
