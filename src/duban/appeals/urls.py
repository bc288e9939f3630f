from django.urls import path

from duban.appeals.views import desk, export, metrics, pages

app_name = "appeals"

# The staff's pages, under /appeals/ (the public intake and tracking pages are under /appeal/: public_urls).
urlpatterns = [
    path("", desk.desk, name="desk"),
    path("list/", pages.appeal_list, name="appeal_list"),
    path("export/", export.appeal_export, name="appeal_export"),
    path("new/", desk.appeal_new, name="appeal_new"),
    path("limits/", desk.limits, name="limits"),
    path("metrics/", metrics.metrics, name="metrics"),
    path("metrics/export/", metrics.metrics_export, name="metrics_export"),
    path("<str:code>/", pages.appeal_detail, name="appeal_detail"),
    path("<str:code>/<slug:action>/", pages.appeal_action, name="appeal_action"),
]
