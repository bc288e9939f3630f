"""/ledger/: the ledger's pages (namespace "ledger")."""

from django.urls import include, path

from duban.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<str:code>/", views.task_detail, name="task_detail"),
    path("tasks/<str:code>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<str:code>/extensions/<int:pk>/", views.decide_extension, name="decide_extension"),
    path("tasks/<str:code>/reassignments/<int:pk>/", views.decide_reassignment, name="decide_reassignment"),
    path("tasks/<str:code>/<slug:action>/", views.task_action, name="task_action"),
    path("", include("duban.ledger.urls_excel")),
]
