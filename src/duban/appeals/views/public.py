"""The enterprise's pages (being built on its own branch: every route answers 404 until then)."""

from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("该页面尚未开放。")


intake = _missing
done = _missing
track = _missing
poster = _missing
poster_svg = _missing
poster_png = _missing
