"""Supervision pages: the ladder, supervision actions and notices, 中梗阻 analytics."""

from django.urls import path

from duban.supervision import urls_analytics, urls_notice, views

app_name = "supervision"
urlpatterns = [
    path("actions/", views.action_list, name="action_list"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/notice.docx", views.action_notice, name="action_notice"),
    path("issue/<str:kind_key>/<str:code>/", views.issue, name="issue"),
    path("ladder/", views.ladder_edit, name="ladder"),
    *urls_analytics.urlpatterns,
    *urls_notice.urlpatterns,
]
