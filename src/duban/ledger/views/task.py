"""The task page (five clarities, sub-tasks, timeline, reports, requests, the actions open to the user),
and the 建账 / 修改 forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.ledger import selectors, services, tables
from duban.ledger.choices import TaskState
from duban.ledger.forms import TaskForm
from duban.ledger.policies import can_assign
from duban.ledger.views.actions import ACTIONS, ONE_CLICK
from duban.ledger.views.common import ledger_page, submit
from duban.supervision.forms import IssueForm
from duban.supervision.selectors import actions_for_matter

CHASED = (TaskState.ASSIGNED, TaskState.IN_PROGRESS)


def task_url(task) -> str:
    return reverse("ledger:task_detail", args=[task.code])


@ledger_page
def task_detail(request, code):
    task = selectors.task_for(request.user, code)
    info = selectors.task_page(task, request.user)
    buttons = [ACTIONS[name] for name in info.actions if name in ACTIONS]
    context = {
        "task": task, "info": info,
        # the sub-task rows and the reports, written in Python (ledger.tables: thirty of each)
        "children_html": tables.child_rows(info.children), "reports_html": tables.report_items(info.reports),
        "one_click": [b for b in buttons if b.name in ONE_CLICK],
        "buttons": [b for b in buttons if b.name not in ONE_CLICK],
        # 督办记录 of this task, and (for the office, while the task is chased) the form to issue one by hand.
        "supervision_actions": actions_for_matter(task, request.user),
        "issue_form": IssueForm() if request.user.has_role(Role.SUPERVISION) and task.state in CHASED else None,
    }
    return render(request, "ledger/task_detail.html", context)


@ledger_page
def task_create(request):
    """建账: the supervision office (or a principal leader) opens a draft; it may be completed later."""
    if not can_assign(request.user):
        raise PermissionDenied(_("只有县督查室或主要领导可以建账。"))
    form = TaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.create_task(
                Actor.from_request(request), data["campaign"], cooperating_units=list(data["cooperating_units"]), **form.task_values(),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已建账：%(code)s。五明确填全后即可立账交办。") % {"code": task.code})
            return redirect(task_url(task))
    return render(request, "ledger/task_form.html", {"form": form, "task": None})


@ledger_page
def task_edit(request, code):
    """修改: the five clarities of a task the office keeps; a stale form gets the 'changed by someone else' answer."""
    task = selectors.task_for(request.user, code)
    allowed = "edit" in services.available_actions(task, request.user)
    form = TaskForm(request.POST or None, task=task)
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done, conflict, status = submit(form, lambda: services.update_task(
            Actor.from_request(request), task, expected_version=data["version"],
            cooperating_units=list(data["cooperating_units"]), **form.task_values(),
        ))
        if done:
            messages.success(request, _("任务已修改。"))
            return redirect(task_url(task))
        task = selectors.task_for(request.user, code)  # the failed write may have touched the object, not the row
    elif not allowed:
        status = 403
    context = {"form": form, "task": task, "allowed": allowed, "conflict": conflict}
    return render(request, "ledger/task_form.html", context, status=status)
