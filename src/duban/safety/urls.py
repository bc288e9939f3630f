from django.urls import path

from duban.safety import views

app_name = "safety"

urlpatterns = [
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/report/", views.hazard_report, name="hazard_report"),
    path("hazards/rates/", views.hazard_rates, name="hazard_rates"),
    path("hazards/<str:code>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<str:code>/<slug:action>/", views.hazard_action, name="hazard_action"),
]
