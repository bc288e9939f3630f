"""中梗阻 analytics: the county table and a unit's page (mounted under /supervision/)."""

from django.urls import path

from duban.supervision import views_analytics

urlpatterns = [
    path("obstruction/", views_analytics.county, name="obstruction"),
    path("obstruction/units/<int:pk>/", views_analytics.unit, name="obstruction_unit"),
]
