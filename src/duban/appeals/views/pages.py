"""The appeal list and page (being built on its own branch: every route answers 404 until then)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("该页面尚未开放。")


appeal_list = _missing
appeal_export = _missing
appeal_detail = _missing
appeal_action = _missing
