"""One small form per action on a task; each POST calls exactly one service.

A refusal (ServiceError, NotAllowed) is shown on the form, on the field it names, and nothing changes;
a version conflict gets the "changed by someone else" answer with a link to the latest version; success
redirects to the task page with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.ledger import forms, selectors, services
from duban.ledger.choices import RequestState
from duban.ledger.kind import TASK_KIND
from duban.ledger.machine import TASK_MACHINE
from duban.ledger.models import ExtensionRequest, ReassignRequest
from duban.ledger.services.common import PENDING_REFUSAL
from duban.ledger.views.common import ledger_page, submit


@dataclass(frozen=True)
class ActionPage:
    """How the page of one transition looks and which service its POST calls."""

    name: str
    button: str
    form_class: type
    perform: Callable  # (actor, task, form) -> None: calls exactly one service
    done: str
    style: str = "outline-secondary"
    intro: str = ""
    form_kwargs: dict = field(default_factory=dict)
    url_name: str = "ledger:task_action"

    @property
    def slug(self) -> str:
        return self.name.replace("_", "-")

    @property
    def title(self) -> str:
        return TASK_MACHINE.transitions[self.name].label

    def url(self, task) -> str:
        if self.url_name == "ledger:task_action":
            return reverse(self.url_name, args=[task.code, self.slug])
        return reverse(self.url_name, args=[task.code])


def _v(form) -> int:
    return form.cleaned_data["version"]


def _files(form) -> list:
    return form.cleaned_data.get("attachments") or []


ACTION_LIST = [
    ActionPage("edit", gettext_lazy("修改任务"), forms.TaskForm, None, "", url_name="ledger:task_edit"),
    ActionPage(
        "register", gettext_lazy("立账交办"), forms.ConfirmForm,
        lambda actor, task, form: services.register_task(actor, task, expected_version=_v(form)),
        gettext_lazy("已立账交办，牵头单位须在 1 个工作日内签收。"), style="primary",
        intro=gettext_lazy("立账后任务交办给牵头单位，五明确须全部填写。"),
    ),
    ActionPage(
        "decompose", gettext_lazy("分解任务"), forms.DecomposeForm,
        lambda actor, task, form: services.decompose_task(actor, task, form.parts(), expected_version=_v(form)),
        gettext_lazy("已分解为子任务。"),
        intro=gettext_lazy("每个单位生成一个子任务，继承本任务的五明确；本任务已立账的，子任务随即交办。"),
    ),
    ActionPage(
        "sign", gettext_lazy("签收"), forms.ConfirmForm,
        lambda actor, task, form: services.sign_task(actor, task, expected_version=_v(form)),
        gettext_lazy("已签收，任务进入承办。"), style="primary",
    ),
    ActionPage(
        "report", gettext_lazy("报送进展"), forms.ReportForm,
        lambda actor, task, form: services.report_progress(
            actor, task, percent=form.cleaned_data["percent"], text=form.cleaned_data["text"],
            problems=form.cleaned_data["problems"], next_steps=form.cleaned_data["next_steps"],
            files=_files(form), expected_version=_v(form),
        ),
        gettext_lazy("进展已报送。"), style="primary",
        intro=gettext_lazy("已按上次报送的内容预先填好进度、存在问题和下步打算，只需修改有变化的地方。"),
    ),
    ActionPage(
        "request_completion", gettext_lazy("申请销账"), forms.CompletionForm,
        lambda actor, task, form: services.request_completion(
            actor, task, summary=form.cleaned_data["summary"], files=_files(form),
            no_evidence_reason=form.cleaned_data["no_evidence_reason"], expected_version=_v(form),
        ),
        gettext_lazy("已申请销账，等待县督查室审核。"), style="success",
    ),
    ActionPage(
        "close", gettext_lazy("审核销账"), forms.CloseForm,
        lambda actor, task, form: services.close_task(
            actor, task, checklist=form.checklist(), grade=form.cleaned_data["grade"], note=form.cleaned_data["note"],
            expected_version=_v(form),
        ),
        gettext_lazy("已销账。"), style="success",
        intro=gettext_lazy("逐项核验任务标准，全部达到方可销账；有未达到的，请退回并写明理由。"),
    ),
    ActionPage(
        "return", gettext_lazy("退回"), forms.ReturnForm,
        lambda actor, task, form: services.return_task(
            actor, task, reason=form.cleaned_data["reason"], checklist=form.checklist(), expected_version=_v(form),
        ),
        gettext_lazy("已退回，任务回到承办中。"), style="outline-danger",
        intro=gettext_lazy("勾选已达到的标准，写明退回理由；牵头单位整改后可再次申请销账。"),
    ),
    ActionPage(
        "request_extension", gettext_lazy("申请延期"), forms.ExtensionRequestForm,
        lambda actor, task, form: services.request_extension(
            actor, task, new_due=form.cleaned_data["new_due"], reason=form.cleaned_data["reason"], expected_version=_v(form),
        ),
        gettext_lazy("延期申请已提交，等待牵头县领导审批。"),
        intro=gettext_lazy("延期由牵头县领导审批；批准后完成时限顺延，原时限留在记录中。"),
    ),
    ActionPage(
        "request_reassignment", gettext_lazy("申请调整承办单位"), forms.ReassignRequestForm,
        lambda actor, task, form: services.request_reassignment(
            actor, task, reason=form.cleaned_data["reason"], suggested_unit=form.cleaned_data["suggested_unit"],
            expected_version=_v(form),
        ),
        gettext_lazy("调整申请已提交，等待县督查室处理。"),
        intro=gettext_lazy("认为任务不属于本单位职责时提出；每次申请都会记入本单位的“中梗阻”统计。"),
    ),
    ActionPage(
        "pause", gettext_lazy("挂起计时"), forms.ReasonForm,
        lambda actor, task, form: services.pause_clock(actor, task, reason=form.cleaned_data["reason"], expected_version=_v(form)),
        gettext_lazy("已挂起计时，挂起期间不计入办理时限。"),
        form_kwargs={"reason_label": gettext_lazy("挂起原因")},
        intro=gettext_lazy("任务在等待牵头单位控制之外的事项（上级审批、司法程序等）时挂起；恢复后完成时限按挂起的工作日顺延。"),
    ),
    ActionPage(
        "resume_clock", gettext_lazy("恢复计时"), forms.ConfirmForm,
        lambda actor, task, form: services.resume_clock(actor, task, expected_version=_v(form)),
        gettext_lazy("已恢复计时。"),
    ),
    ActionPage(
        "suspend", gettext_lazy("暂停任务"), forms.ReasonForm,
        lambda actor, task, form: services.suspend_task(actor, task, reason=form.cleaned_data["reason"], expected_version=_v(form)),
        gettext_lazy("任务已暂停。"), style="outline-danger",
        form_kwargs={"reason_label": gettext_lazy("暂停原因")},
    ),
    ActionPage(
        "reopen", gettext_lazy("恢复办理"), forms.ReasonForm,
        lambda actor, task, form: services.reopen_task(actor, task, reason=form.cleaned_data["reason"], expected_version=_v(form)),
        gettext_lazy("任务已恢复办理。"), style="primary",
        form_kwargs={"reason_label": gettext_lazy("说明"), "reason_required": False},
    ),
    ActionPage(
        "cancel", gettext_lazy("撤销任务"), forms.ReasonForm,
        lambda actor, task, form: services.cancel_task(actor, task, reason=form.cleaned_data["reason"], expected_version=_v(form)),
        gettext_lazy("任务已撤销。"), style="outline-danger",
        form_kwargs={"reason_label": gettext_lazy("撤销原因")},
    ),
]
ACTIONS = {page.name: page for page in ACTION_LIST}
BY_SLUG = {page.slug: page for page in ACTION_LIST if page.perform is not None}
# Nothing to fill in: the task page posts these directly (their page exists for a refusal to be shown on).
ONE_CLICK = frozenset({"register", "sign", "resume_clock"})


def why_not(task, user, name: str) -> str:
    """Why an action the user opened is not open to them now: the same declaration, in the same order, as
    the runner refuses by (who may, then the state), then the guards the services would refuse by."""
    transition = TASK_MACHINE.transitions[name]
    if not transition.permits(task, user):
        return transition.refusal_for(TASK_KIND.word, task.code)
    try:
        TASK_MACHINE.check(task, name, noun=TASK_KIND.noun)
    except ServiceError as exc:
        return exc.message
    if name == "resume_clock" and not task.paused_since:
        return _("该任务没有挂起。")
    if name == "pause" and task.paused_since:
        return _("该任务已于 %(day)s 挂起。") % {"day": date_format(task.paused_since, _("Y年m月d日"))}
    if name == "request_completion":
        return _("子任务尚未全部销账，请待全部子任务销账后再申请。")
    if name == "request_extension" and (task.standing or task.due_date is None):
        return _("长期坚持的任务没有完成时限，无需延期。")
    if name in {"request_extension", "request_reassignment"}:
        model = "ExtensionRequest" if name == "request_extension" else "ReassignRequest"
        return PENDING_REFUSAL[model]
    return _("现在不能对该任务%(action)s。") % {"action": transition.label}


@ledger_page
def task_action(request, code, action):
    page = BY_SLUG.get(action)
    if page is None:
        raise Http404(_("没有这个操作。"))
    task = selectors.task_for(request.user, code)
    allowed = page.name in services.available_actions(task, request.user)
    extra = _extra_context(page.name, task)
    form_kwargs = {"task": task, **page.form_kwargs}
    if page.name == "report":
        form_kwargs["last"] = extra.get("last_report")
    form = page.form_class(request.POST or None, request.FILES or None, **form_kwargs)
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        done, conflict, status = submit(form, lambda: page.perform(Actor.from_request(request), task, form))
        if done:
            messages.success(request, str(page.done))
            return redirect("ledger:task_detail", code=task.code)
        task = selectors.task_for(request.user, code)  # the rolled-back write may have touched the object
        extra = _extra_context(page.name, task)
    elif request.method != "POST" and not allowed:
        status = 403
    context = {
        "task": task, "act": page, "form": form, "allowed": allowed or request.method == "POST",
        "refusal": "" if allowed else why_not(task, request.user, page.name), "conflict": conflict,
        "action_url": page.url(task), "multipart": any(f.widget.needs_multipart_form for f in form.fields.values()),
        **extra,
    }
    return render(request, "ledger/action_form.html", context, status=status)


def _extra_context(name: str, task) -> dict:
    """What a form shows next to it: the last report when reporting, the request under review when verifying."""
    if name == "report":
        return {"last_report": selectors.last_report(task)}
    if name == "register":
        return {"missing": task.missing_clarities()}
    if name in {"close", "return"}:
        pending = task.completion_requests.filter(state=RequestState.PENDING).select_related("requested_by").first()
        if pending is not None:
            selectors._attach_files([pending])
        return {"completion": pending}
    return {}


# --- deciding a pending request ----------------------------------------------------------------------


def _decide(request, code, pk, *, model, may_decide, form_class, perform, template, done, form_extra=None):
    task = selectors.task_for(request.user, code)
    pending = get_object_or_404(model.objects.select_related("requested_by"), pk=pk, task=task)
    allowed = may_decide(task, request.user) and pending.state == RequestState.PENDING
    form = form_class(request.POST or None, task=task, **(form_extra(pending) if form_extra else {}))
    conflict, status = "", 200
    if request.method == "POST" and form.is_valid():
        pending.task = task
        succeeded, conflict, status = submit(form, lambda: perform(Actor.from_request(request), pending, form.cleaned_data))
        if succeeded:
            messages.success(request, str(done))
            return redirect("ledger:task_detail", code=task.code)
        task = selectors.task_for(request.user, code)
        pending.refresh_from_db()
    elif request.method != "POST" and not allowed:
        status = 403
    context = {"task": task, "pending": pending, "form": form, "allowed": allowed or request.method == "POST", "conflict": conflict}
    return render(request, template, context, status=status)


@ledger_page
def decide_extension(request, code, pk):
    """审批延期: the task's leader in charge (or a principal leader) approves or refuses."""
    return _decide(
        request, code, pk, model=ExtensionRequest, may_decide=TASK_MACHINE.transitions["decide_extension"].permits,
        form_class=forms.DecideExtensionForm,
        perform=lambda actor, pending, data: services.decide_extension(
            actor, pending, approve=data["decision"] == "approve", note=data["note"], expected_version=data["version"],
        ),
        template="ledger/decide_extension.html", done=gettext_lazy("延期申请已审批。"),
    )


@ledger_page
def decide_reassignment(request, code, pk):
    """处理调整申请: the supervision office moves the task to another unit or keeps it where it is."""
    return _decide(
        request, code, pk, model=ReassignRequest, may_decide=TASK_MACHINE.transitions["decide_reassignment"].permits,
        form_class=forms.DecideReassignForm,
        perform=lambda actor, pending, data: services.decide_reassignment(
            actor, pending, approve=data["decision"] == "approve", new_unit=data["new_unit"], note=data["note"],
            expected_version=data["version"],
        ),
        template="ledger/decide_reassignment.html", done=gettext_lazy("调整申请已处理。"),
        form_extra=lambda pending: {"request": pending},
    )
