"""The supervision office's pages: the rule versions (考核细则) and list rules, and the contest queue (申诉裁定)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.permissions import role_required
from duban.scoring import selectors, services
from duban.scoring.forms import ListRuleForm, RuleForm, RuleSetForm, RulingForm
from duban.scoring.models import Contest, ListRule, Rule, RuleSet
from duban.scoring.views import attempt


@role_required(Role.SUPERVISION, Role.PRINCIPAL)
@require_GET
def rules(request):
    """考核细则: every version with its rules (the office edits the unlocked ones), and the red and black list rules."""
    return render(request, "scoring/rules.html", {
        "rulesets": selectors.rulesets(), "list_rules": selectors.list_rules(), "office": Role.SUPERVISION in request.user.roles,
        "ruleset_form": RuleSetForm(), "rule_form": RuleForm(), "list_rule_form": ListRuleForm(),
    })


def _done(request, call, success: str, to: str = "scoring:rules"):
    attempt(request, call, success)
    return redirect(to)


@role_required(Role.SUPERVISION)
@require_POST
def ruleset_create(request):
    form = RuleSetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写起用日期。"))
        return redirect("scoring:rules")
    latest = RuleSet.objects.order_by("-valid_from").first()
    return _done(request, lambda: services.create_ruleset(Actor.from_request(request), copy_from=latest, **form.cleaned_data),
                 _("新版本已建立（复制自上一版本），请调整其规则。"))


@role_required(Role.SUPERVISION)
@require_POST
def rule_set(request, pk: int):
    ruleset = get_object_or_404(RuleSet, pk=pk)
    form = RuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择考核结果并填写分值。"))
        return redirect("scoring:rules")
    return _done(request, lambda: services.set_rule(Actor.from_request(request), ruleset, **form.cleaned_data), _("规则已保存。"))


@role_required(Role.SUPERVISION)
@require_POST
def rule_remove(request, pk: int):
    rule = get_object_or_404(Rule.objects.select_related("ruleset"), pk=pk)
    return _done(request, lambda: services.remove_rule(Actor.from_request(request), rule), _("规则已删除。"))


@role_required(Role.SUPERVISION)
@require_POST
def list_rule_create(request):
    form = ListRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择榜单和依据。"))
        return redirect("scoring:rules")
    data = {**form.cleaned_data, "count": form.cleaned_data["count"] or 3}
    return _done(request, lambda: services.save_list_rule(Actor.from_request(request), **data), _("红黑榜规则已保存。"))


@role_required(Role.SUPERVISION)
@require_POST
def list_rule_remove(request, pk: int):
    rule = get_object_or_404(ListRule, pk=pk)
    return _done(request, lambda: services.remove_list_rule(Actor.from_request(request), rule), _("红黑榜规则已删除。"))


@role_required(Role.SUPERVISION)
@require_GET
def contests(request):
    """申诉裁定: the pending contests, oldest first, each with its point's trace and the ruling form."""
    return render(request, "scoring/contests.html", {
        "pending": selectors.pending_contests(), "ruled": selectors.ruled_contests(), "form": RulingForm(),
    })


@role_required(Role.SUPERVISION)
@require_POST
def rule_on(request, pk: int):
    contest = get_object_or_404(Contest, pk=pk)
    form = RulingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择维持或撤销，并写明裁定意见。"))
        return redirect("scoring:contests")
    removed = form.cleaned_data["decision"] == "removed"
    return _done(request, lambda: services.rule_contest(Actor.from_request(request), contest, removed=removed, note=form.cleaned_data["note"]),
                 _("已裁定。"), "scoring:contests")
