from django.urls import path

from duban.safety import views
from duban.safety.views import inspections

app_name = "safety"

urlpatterns = [
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/report/", views.hazard_report, name="hazard_report"),
    path("hazards/rates/", views.hazard_rates, name="hazard_rates"),
    path("checklists/", inspections.checklist_list, name="checklist_list"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("hazards/<str:code>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<str:code>/<slug:action>/", views.hazard_action, name="hazard_action"),
]
