"""/api/: the REST API under v1/ (django-ninja) and the page where people manage their access tokens."""

from django.urls import path

from duban.api import views
from duban.api.main import api

urlpatterns = [
    path("v1/", api.urls),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
