"""/reports/: the leaders' dashboard (领导驾驶舱), the big screen, unit profiles and the bulletins (namespace "reports")."""

from django.urls import path

from duban.reports.views import dashboard, screen

app_name = "reports"
urlpatterns: list = [
    # dashboard
    path("", dashboard.dashboard, name="dashboard"),
    path("export/", dashboard.export, name="export"),
    path("screen/", screen.screen, name="screen"),
    path("screen/data.json", screen.screen_data, name="screen_data"),
    # end of dashboard
]
