"""The dashboard's and the big screen's figures as kept at the data version (core.versions.figures; ADR 022):
computed once per version, scope, choice, day and language, read back until the next write. The views read
them through here, and the job `reports.precompute` computes the county's and each leader's after a sweep
pass has written, so that the first reader after the sweep finds them ready."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation

from duban.core import versions
from duban.core.choices import Role
from duban.core.models import User
from duban.reports import excel, figures


def dashboard_parts(user, campaign: str = "") -> dict:
    """{"body": the dashboard's figures as HTML, "charts": the charts' data} for `user`'s scope."""

    def compute() -> dict:
        d = figures.dashboard(user, campaign)
        body = render_to_string("reports/dashboard_body.html", {"d": d, "tables": excel.TABLES})
        return {"body": body, "charts": figures.charts(d)}

    return versions.figures(figures.kept_key(user, "dashboard", campaign[:12]), compute)


def screen_parts(user) -> dict:
    """{"figures": the big screen's headline figures, "charts": its charts' data} for `user`'s scope."""

    def compute() -> dict:
        d = figures.dashboard(user)
        return {"figures": figures.headline(d), "charts": figures.charts(d)}

    return versions.figures(figures.kept_key(user, "screen"), compute)


def readers() -> list[User]:
    """Who the precomputation is for: one account that sees the whole county (the county's figures are shared by
    all such), and every leader in charge (each their own charge)."""
    active = User.objects.filter(is_active=True)
    county = active.filter(role_grants__role__in=[Role.PRINCIPAL, Role.SUPERVISION]).order_by("id").first()
    leaders = list(active.filter(Q(role_grants__role=Role.LEADER)).exclude(role_grants__role=Role.PRINCIPAL).distinct().order_by("id"))
    return ([county] if county else []) + leaders


def precompute() -> int:
    """Compute what is not kept at the current version yet (the default language); the number computed."""
    done = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user in readers():
            version = versions.current()
            for key, fill in ((figures.kept_key(user, "dashboard", ""), lambda u=user: dashboard_parts(u)),
                              (figures.kept_key(user, "screen"), lambda u=user: screen_parts(u))):
                if not versions.is_kept(key, version):
                    fill()
                    done += 1
    return done
