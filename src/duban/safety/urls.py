from django.urls import path

from duban.safety import views
from duban.safety.views import duty, excel, inspections

app_name = "safety"

urlpatterns = [
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/report/", views.hazard_report, name="hazard_report"),
    path("hazards/rates/", views.hazard_rates, name="hazard_rates"),
    path("hazards/export/", excel.hazard_export, name="hazard_export"),
    path("hazards/import/", excel.hazard_import, name="hazard_import"),
    path("hazards/import/<str:token>/", excel.hazard_import_preview, name="hazard_import_preview"),
    path("hazards/import/<str:token>/confirm/", excel.hazard_import_confirm, name="hazard_import_confirm"),
    path("hazards/import/<str:token>/cancel/", excel.hazard_import_cancel, name="hazard_import_cancel"),
    path("checklists/", inspections.checklist_list, name="checklist_list"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("hazards/<str:code>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<str:code>/<slug:action>/", views.hazard_action, name="hazard_action"),
    path("duty/", duty.duty_board, name="duty_board"),
    path("duty/posts/", duty.post_list, name="post_list"),
    path("duty/posts/new/", duty.post_edit, name="post_new"),
    path("duty/posts/<int:pk>/", duty.post_roster, name="post_roster"),
    path("duty/posts/<int:pk>/edit/", duty.post_edit, name="post_edit"),
    path("duty/posts/<int:pk>/schedule/", duty.post_schedule, name="post_schedule"),
    path("duty/shifts/<int:pk>/confirm/", duty.shift_confirm, name="shift_confirm"),
    path("duty/shifts/<int:pk>/cancel/", duty.shift_cancel, name="shift_cancel"),
    path("duty/lapses/<str:code>/", duty.lapse_detail, name="lapse_detail"),
]
