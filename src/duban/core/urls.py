from django.urls import path

from duban.core import views

urlpatterns = [
    path("units/", views.unit_directory, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("people/", views.people_directory, name="people_list"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("work/<str:key>/", views.work_more, name="work_more"),
]
