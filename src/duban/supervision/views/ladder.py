"""The office's ladder editor (督办梯度): each kind of matter's two ladders, in working days from the due date."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.permissions import role_required
from duban.matters import registry
from duban.supervision import ladder as rungs
from duban.supervision import services
from duban.supervision.choices import ActionKind, StepTarget
from duban.supervision.forms import StepForm
from duban.supervision.selectors import default_ladders, ladders_by_kind


@role_required(Role.SUPERVISION)
@require_http_methods(["GET", "POST"])
def ladder_edit(request):
    """The office edits each kind's ladder (normal and major), in working days from the due date."""
    kinds = registry.kinds()
    kind = registry.get(request.GET.get("kind") or request.POST.get("kind") or kinds[0].key)
    current = ladders_by_kind(kind.key)
    own_defaults = default_ladders(kind.key)
    tables = []
    error = ""
    for major in (False, True):
        prefix = "major" if major else "normal"
        steps = {s.kind: s for s in current[major]}
        defaults = {**{s.kind: s for s in (rungs.MAJOR if major else rungs.DEFAULT)}, **{s.kind: s for s in own_defaults[major]}}
        initial = []
        for value, _label in ActionKind.choices:
            step = steps.get(value) or defaults[value]
            initial.append({"kind": value, "enabled": value in steps, "offset": step.offset, "reply_days": step.reply_days,
                            "target": step.target})
        forms_ = [StepForm(request.POST if request.method == "POST" and request.POST.get("major") == prefix else None,
                           prefix=f"{prefix}-{i}", initial=row) for i, row in enumerate(initial)]
        tables.append({"major": major, "prefix": prefix, "rows": list(zip(ActionKind.choices, forms_, strict=True))})
    if request.method == "POST":
        table = next(t for t in tables if t["prefix"] == request.POST.get("major"))
        forms_ = [f for _c, f in table["rows"]]
        if all(f.is_valid() for f in forms_):
            try:
                services.save_ladder(Actor.from_request(request), kind.key, major=table["major"],
                                     steps=[f.cleaned_data for f in forms_])
            except ServiceError as exc:
                error = exc.message
            else:
                messages.success(request, _("督办梯度已保存；在办事项将按新梯度巡检（已发出的督办不受影响）。"))
                return redirect(reverse("supervision:ladder") + f"?kind={kind.key}")
        else:
            error = _("请检查标红的格子：工作日数须为整数。")
    return render(request, "supervision/ladder.html", {
        "kinds": kinds, "kind": kind, "tables": tables, "error": error, "targets": StepTarget.choices,
    }, status=422 if error else 200)
