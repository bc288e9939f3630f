"""Top-level URL map; each app mounts its own urls module here."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from duban.core import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("", views.home, name="home"),
    path("", include("duban.core.urls")),
    path("manage/", include("duban.core.manage_urls")),
    path("ledger/", include("duban.ledger.urls")),
    path("safety/", include("duban.safety.urls")),
    path("appeals/", include("duban.appeals.urls")),
    path("projects/", include("duban.projects.urls")),
    path("scoring/", include("duban.scoring.urls")),
    path("reports/", include("duban.reports.urls")),
    path("appeal/", include("duban.appeals.public_urls")),  # the enterprise's pages, no account
    path("supervision/", include("duban.supervision.urls")),
    path("inbox/", include("duban.notify.urls")),
    path("api/", include("duban.api.urls")),  # /api/v1/ and /api/tokens/
    path("i18n/", include("django.conf.urls.i18n")),  # /i18n/setlang/: the language switch (a cookie)
]
