"""The supervision notice template page (督办通知单模板)."""

from django.urls import path

from duban.supervision import views_notice

urlpatterns = [
    path("notice-template/", views_notice.notice_template, name="notice_template"),
    path("notice-template/download/", views_notice.notice_template_download, name="notice_template_download"),
    path("notice-template/sample/", views_notice.notice_template_sample, name="notice_template_sample"),
    path("notice-template/restore/", views_notice.notice_template_restore, name="notice_template_restore"),
]
