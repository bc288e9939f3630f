"""/reports/: the leaders' dashboard (领导驾驶舱), the big screen, unit profiles and the bulletins (namespace "reports")."""

from django.urls import path

from duban.reports.views import profile

app_name = "reports"
urlpatterns: list = []

# unit profile
urlpatterns += [
    path("units/<int:pk>/", profile.unit_profile, name="unit_profile"),
]
