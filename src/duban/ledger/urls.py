"""/ledger/: the ledger's pages (namespace "ledger")."""

from django.urls import include, path

app_name = "ledger"

urlpatterns = [
    path("", include("duban.ledger.urls_excel")),
]
