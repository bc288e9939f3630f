"""单位画像 (/reports/units/<pk>/): one unit's matters, lights, score trend, supervision received, send-backs and returns."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from duban.reports import profile as profiles


@login_required
@require_GET
def unit_profile(request, pk: int):
    """Whoever's scope includes the unit sees its profile (office and principal leaders: every unit; a leader the
    units in their charge; a unit head or liaison their own); anyone else gets 404, as for a unit that does not exist."""
    unit = profiles.visible_unit(request.user, pk)
    if unit is None:
        raise Http404
    today = timezone.localdate()
    profile = profiles.build(request, unit, today)
    chart = {"months": [t["label"] for t in profile.trend], "codes": [t["month"] for t in profile.trend],
             "scores": [float(t["score"]) if t["score"] is not None else None for t in profile.trend]}
    return render(request, "reports/unit_profile.html", {"unit": unit, "profile": profile, "chart": chart,
                                                          "ranked": any(t["score"] is not None for t in profile.trend)})
