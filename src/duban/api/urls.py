"""/api/: the REST API under v1/ (django-ninja), the page where people manage their access tokens, and the
security admin's page of one person's tokens."""

from django.urls import path

from duban.api import views
from duban.api.main import api

urlpatterns = [
    path("v1/", api.urls),
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("tokens/person/<int:pk>/", views.person_tokens, name="api_person_tokens"),
    path("tokens/person/<int:pk>/revoke-all/", views.person_tokens_revoke_all, name="api_person_tokens_revoke_all"),
]
