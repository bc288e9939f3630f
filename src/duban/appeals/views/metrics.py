"""The appeals' rates (being built on its own branch: every route answers 404 until then)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("该页面尚未开放。")


metrics = _missing
metrics_export = _missing
