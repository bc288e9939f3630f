"""/supervision/: the 督办记录 pages, the ladder, the notice template and 中梗阻 analytics (namespace "supervision")."""

from django.urls import path

from duban.supervision.views import actions, analytics, ladder, notice

app_name = "supervision"
urlpatterns = [
    path("actions/", actions.action_list, name="action_list"),
    path("actions/export/", actions.action_export, name="action_export"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/notice.docx", actions.action_notice, name="action_notice"),
    path("issue/<str:kind_key>/<str:code>/", actions.issue, name="issue"),
    path("ladder/", ladder.ladder_edit, name="ladder"),
    # 中梗阻 analytics: the county table and a unit's page
    path("obstruction/", analytics.county, name="obstruction"),
    path("obstruction/units/<int:pk>/", analytics.unit, name="obstruction_unit"),
    # the office's 督办通知单 template
    path("notice-template/", notice.notice_template, name="notice_template"),
    path("notice-template/download/", notice.notice_template_download, name="notice_template_download"),
    path("notice-template/sample/", notice.notice_template_sample, name="notice_template_sample"),
    path("notice-template/restore/", notice.notice_template_restore, name="notice_template_restore"),
]
