"""/reports/: the leaders' dashboard (领导驾驶舱), the big screen, unit profiles and the bulletins (namespace "reports")."""

app_name = "reports"
urlpatterns: list = []
