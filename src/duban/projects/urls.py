from django.urls import path

from duban.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("mine/", views.my_projects, name="my_projects"),
    path("new/", views.project_new, name="project_new"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("investment/", views.investment, name="investment"),
    path("batches/", views.batches, name="batches"),  # 三个一批
    path("procedures/", views.procedure_list, name="procedure_list"),
    path("reports/", views.report_list, name="report_list"),
    path("export/", views.project_export, name="project_export"),
    path("import/", views.project_import, name="project_import"),
    path("import/<str:token>/", views.project_import_preview, name="project_import_preview"),
    path("import/<str:token>/confirm/", views.project_import_confirm, name="project_import_confirm"),
    path("import/<str:token>/cancel/", views.project_import_cancel, name="project_import_cancel"),
    path("procedures/<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("procedures/<str:code>/<slug:action>/", views.procedure_action, name="procedure_action"),
    path("reports/<str:code>/", views.report_detail, name="report_detail"),
    path("reports/<str:code>/<slug:action>/", views.report_action, name="report_action"),
    path("<str:code>/", views.project_detail, name="project_detail"),
    path("<str:code>/<slug:action>/", views.project_action, name="project_action"),
]
