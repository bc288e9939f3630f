"""/reports/: the leaders' dashboard (领导驾驶舱), the big screen, unit profiles and the bulletins (namespace "reports")."""

from django.urls import path

from duban.reports.views import bulletin, dashboard, profile, screen

app_name = "reports"
urlpatterns: list = [
    # dashboard
    path("", dashboard.dashboard, name="dashboard"),
    path("export/", dashboard.export, name="export"),
    path("screen/", screen.screen, name="screen"),
    path("screen/data.json", screen.screen_data, name="screen_data"),
    # bulletins
    path("bulletins/", bulletin.bulletins, name="bulletins"),
    path("bulletins/template/", bulletin.bulletin_template, name="bulletin_template"),
    path("bulletins/template/download/", bulletin.bulletin_template_download, name="bulletin_template_download"),
    path("bulletins/template/sample/", bulletin.bulletin_template_sample, name="bulletin_template_sample"),
    path("bulletins/template/restore/", bulletin.bulletin_template_restore, name="bulletin_template_restore"),
    # unit profile
    path("units/<int:pk>/", profile.unit_profile, name="unit_profile"),
]
