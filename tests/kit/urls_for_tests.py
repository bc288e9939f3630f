"""A URL map for the kit's own tests: two lists of units, one with a query per row (the N+1 the kit must catch)."""

from django.http import HttpResponse
from django.urls import path

from duban.core.models import Unit


def one_query_per_row(request):
    return HttpResponse("\n".join(f"{u.name} ← {u.parent.name if u.parent_id else '-'}" for u in Unit.objects.order_by("id")))


def fixed(request):
    return HttpResponse("\n".join(f"{u.name} ← {u.parent.name if u.parent_id else '-'}"
                                  for u in Unit.objects.select_related("parent").order_by("id")))


urlpatterns = [
    path("n-plus-one/", one_query_per_row),
    path("fixed/", fixed),
]
