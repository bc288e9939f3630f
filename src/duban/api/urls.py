"""/api/v1/: the REST API (django-ninja), mounting each app's api module."""

urlpatterns: list = []
