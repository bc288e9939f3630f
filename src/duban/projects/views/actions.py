"""The forms that change a project: 录入项目, and one page per transition of the project machine (修改, 推进阶段,
终止, 提出问题) plus the project office's 增加手续 and 月度计划. A page reads who may from the machine (the "why
not" it shows is the transition's refusal); its POST calls one service with the version the user saw."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.actor import Actor
from duban.core.choices import BUSINESS_ROLES
from duban.core.manage_forms import submit
from duban.core.permissions import role_required
from duban.matters import services as kernel
from duban.matters.pages import ActionPage, page_for, why_not
from duban.matters.pages import action_view as shared_action_view
from duban.projects import forms, policies, selectors, services
from duban.projects.choices import FINISHED_STAGES
from duban.projects.kind import PROJECT_KIND

# Every business role may open the ledger's pages (what each sees is its scope); the admins have no business here.
project_page = role_required(*sorted(BUSINESS_ROLES))


def refusal_of(page: ActionPage, kind, matter, user) -> tuple[str, int]:
    """Why `user` may not take the page's action now, and the status to answer with ("" and 200: they may).
    Who may is the machine's (its refusal, 403), or the page's own for an action beside it; then the state
    (a move the matter's state does not allow says what is allowed now, 200)."""
    if page.name not in kind.machine.transitions:
        return ("", 200) if page.may(matter, user) else (str(page.refusal), 403)
    return why_not(kind, matter, user, page.name)


def offered(pages: dict[str, ActionPage], kind, matter, user) -> list[ActionPage]:
    """The action bar: the pages of the transitions `user` may take now (the machine's `offered`), in its order,
    then the actions beside the machine they may take."""
    by_name = {page.name: page for page in pages.values()}
    bar = [by_name[t.name] for t in kernel.offered(matter, user, kind=kind) if t.name in by_name]
    return bar + [page for page in pages.values() if page.may is not None and page.may(matter, user)]


def action_view(request, *, pages: dict[str, ActionPage], kind, matter, action: str, back: str, url_name: str, context: dict):
    """GET: the form of one action, or why the user may not take it (403); POST: the one service call, the form
    again with the refusal on its field, or back to the matter's page (`duban.matters.pages`)."""
    page = page_for(pages, action)
    refusal, status = refusal_of(page, kind, matter, request.user)
    form = page.form(request.POST or None, request.FILES or None, matter=matter)
    own = {**context, "matter": matter, "back": back, "action_url": reverse(url_name, args=[kind.code_of(matter), page.slug])}
    return shared_action_view(request, page, matter, form=form, refusal=refusal, status=status, back=back,
                              run=lambda actor: page.run(actor, matter, form.service_values()),
                              template="projects/action_form.html", context=lambda _matter: own)


# --- the project's pages ---------------------------------------------------------------------------------

PROJECT_PAGES = {page.slug: page for page in [
    ActionPage("edit", "edit", gettext_lazy("修改项目"), forms.ProjectEditForm,
               lambda actor, p, v: services.edit_project(actor, p, **v), gettext_lazy("已保存项目信息。"), style="outline-primary"),
    ActionPage("move", "move", gettext_lazy("推进阶段"), forms.MoveForm,
               lambda actor, p, v: services.move_stage(actor, p, v["stage"], on=v["on"], note=v["note"], expected_version=v["expected_version"]),
               gettext_lazy("已推进项目阶段。")),
    ActionPage("stop", "stop", gettext_lazy("终止项目"), forms.StopForm,
               lambda actor, p, v: services.stop_project(actor, p, **v), gettext_lazy("项目已终止。"), style="outline-danger"),
    ActionPage("raise_problem", "raise-problem", gettext_lazy("提出问题"), forms.ProblemForm,
               lambda actor, p, v: services.raise_problem(actor, p, **v),
               gettext_lazy("问题已提出并转办，办理进度在项目页的问题清单中。"), style="outline-warning"),
    ActionPage("add_procedure", "add-procedure", gettext_lazy("增加手续"), forms.AddProcedureForm,
               lambda actor, p, v: services.add_procedure(actor, p, **v), gettext_lazy("已增加手续。"), style="outline-primary",
               may=lambda p, user: policies.is_project_office(user) and p.state not in FINISHED_STAGES,
               refusal=gettext_lazy("只有县重点项目办可以增加项目手续，且项目须未投产、未终止。")),
    ActionPage("set_month_plans", "month-plans", gettext_lazy("月度计划投资"), forms.MonthPlansForm,
               lambda actor, p, v: services.set_month_plans(actor, p, v["year"], v["plans"]), gettext_lazy("已保存月度计划投资。"),
               style="outline-primary",
               may=lambda p, user: policies.is_project_office(user) or policies.is_project_unit(p, user),
               refusal=gettext_lazy("只有县重点项目办或项目责任单位可以填报月度计划投资。")),
]}


def project_url(project) -> str:
    return reverse("projects:project_detail", args=[project.code])


def project_actions(project, user) -> list[ActionPage]:
    """The project page's action bar (for the project page: `{% url 'projects:project_action' code a.slug %}`)."""
    return offered(PROJECT_PAGES, PROJECT_KIND, project, user)


@project_page
def project_new(request):
    """录入项目: the project office (or a principal leader) enters a project; its procedures follow its type."""
    if not policies.may_create(request.user):
        raise PermissionDenied(_("只有县重点项目办或主要领导可以录入项目。"))
    form = forms.ProjectNewForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        done, _conflict, status = submit(form, lambda: made.update(project=services.create_project(Actor.from_request(request), **form.service_values())))
        if done:
            project = made["project"]
            messages.success(request, _("已录入项目 %(code)s，按项目类型列出了 %(n)s 项手续。") % {"code": project.code, "n": project.procedures.count()})
            return redirect(project_url(project))
    return render(request, "projects/project_new.html", {"form": form}, status=status)


@project_page
def project_action(request, code, action):
    project = selectors.visible_project(request.user, code)
    if project is None:
        raise Http404(_("没有这个项目，或您无权查看。"))
    return action_view(request, pages=PROJECT_PAGES, kind=PROJECT_KIND, matter=project, action=action, back=project_url(project),
                       url_name="projects:project_action", context={"project": project, "heading": f"{project.code} {project.name}"})
