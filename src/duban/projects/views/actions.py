"""TEMPORARY: being written (foundation commit); answers 404 until it lands."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


project_action = project_new = _missing
