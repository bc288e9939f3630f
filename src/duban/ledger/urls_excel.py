"""/ledger/ import and export routes (kept apart from the page routes)."""

from django.urls import path

from duban.ledger import views_excel

urlpatterns = [
    path("import/", views_excel.import_upload, name="import"),
    path("import/template/", views_excel.import_template, name="import_template"),
    path("import/done/", views_excel.import_done, name="import_done"),
    path("import/<str:token>/", views_excel.import_preview, name="import_preview"),
    path("import/<str:token>/confirm/", views_excel.import_confirm, name="import_confirm"),
    path("import/<str:token>/cancel/", views_excel.import_cancel, name="import_cancel"),
    path("export/", views_excel.export, name="export"),
]
