"""The business office's desk (being built on its own branch: every route answers 404 until then)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("该页面尚未开放。")


desk = _missing
appeal_new = _missing
limits = _missing
