"""The hazard pages: the ledger, the report form (a phone in the field), the hazard page with its photos side by
side, and one action page per transition. Views only validate and call one service."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duban.core.actor import Actor
from duban.core.manage_forms import submit
from duban.core.paging import BadCursor
from duban.matters import services as kernel
from duban.matters.choices import Light
from duban.matters.pages import ActionPage, action_view, page_for, why_not
from duban.safety import forms, selectors, services
from duban.safety.kind import HAZARD_KIND
from duban.safety.policies import is_safety_office, may_report
from duban.safety.views.common import safety_page

PAGE_SIZE = 50


def hazard_url(hazard) -> str:
    return reverse("safety:hazard_detail", args=[hazard.code])


@safety_page
def hazard_list(request):
    """隐患排查整改台账: the user's hazards, filtered, keyset-paged, with the counts by light."""
    query = request.GET
    listing = selectors.listing(request.user, query)
    cursor_error = ""
    try:
        page = selectors.page_of(listing.rows, query.get("cursor"), PAGE_SIZE)
    except BadCursor as exc:
        cursor_error = str(exc)
        page = selectors.page_of(listing.rows, None, PAGE_SIZE)
    lights = [{"value": v, "label": label, "count": listing.light_counts.get(v, 0)} for v, label in Light.choices]
    context = {
        "page": page, "form": listing.filterset.form, "lights": lights, "total": listing.total, "cursor_error": cursor_error,
        "may_report": may_report(request.user), "may_import": is_safety_office(request.user),
        "query": urlencode([(k, value) for k, values in query.lists() if k != "cursor" for value in values]),
    }
    return render(request, "safety/hazard_list.html", context)


@safety_page
def hazard_rates(request):
    """整改率 and 按期整改率 by sector and township over the hazards the user sees, filtered like the ledger (period
    by 排查时间, level …); each figure links to its hazards on the ledger."""
    rates = selectors.rates(request.user, request.GET)
    base = {k: v for k, v in request.GET.items() if k in ("found_from", "found_to", "level", "sector", "township") and v}

    def link(row, **more) -> str:
        return reverse("safety:hazard_list") + "?" + urlencode({**base, **row.key, **more})

    def table(rows):
        return [{"row": r, "found": link(r), "closed": link(r, state="closed"), "due": link(r, timeliness="due"),
                 "on_time": link(r, timeliness="on_time"), "late": link(r, timeliness="late")} for r in rows]

    context = {"form": rates.filterset.form, "by_sector": table(rates.by_sector), "by_township": table(rates.by_township),
               "total": table([rates.total])[0]}
    return render(request, "safety/hazard_rates.html", context)


@safety_page
def hazard_report(request):
    """发现上报 (and 当场整改 in the same step): the hazard's page next, or the form with what to fix."""
    if not may_report(request.user):
        raise PermissionDenied(_("您的角色不能上报隐患。"))
    form = forms.ReportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        done, _conflict, status = submit(form, lambda: made.update(hazard=services.report_hazard(Actor.from_request(request), **form.service_values())))
        if done:
            hazard = made["hazard"]
            messages.success(request, _("已上报隐患 %(code)s。") % {"code": hazard.code}
                             + (_("当场整改已登记并销号。") if hazard.rectified_on_spot else ""))
            return redirect(hazard_url(hazard))
    return render(request, "safety/hazard_report.html", {"form": form}, status=status)


@safety_page
def hazard_detail(request, code):
    hazard = selectors.hazard_for(request.user, code)
    offered = [ACTIONS[t.name] for t in kernel.offered(hazard, request.user, kind=HAZARD_KIND) if t.name in ACTIONS]
    context = {
        "hazard": hazard, "photos": selectors.photos_of(hazard), "events": selectors.timeline(hazard), "actions": offered,
        "missing_plan": hazard.missing_plan() if hazard.is_major and hazard.state == "found" else [],
    }
    return render(request, "safety/hazard_detail.html", context)


ACTION_LIST = [
    ActionPage("assign", "assign", gettext_lazy("交办整改"), forms.AssignForm,
               lambda actor, h, f: services.assign_rectification(actor, h, expected_version=f.cleaned_data["version"], **f.service_values()),
               gettext_lazy("已交办整改。")),
    ActionPage("request_verification", "request-verification", gettext_lazy("申请验收"), forms.VerificationRequestForm,
               lambda actor, h, f: services.request_verification(actor, h, result=f.cleaned_data["result"], photos=f.cleaned_data["photos"] or [],
                                                                 expected_version=f.cleaned_data["version"]),
               gettext_lazy("已申请验收。"), files=True),
    ActionPage("verify", "verify", gettext_lazy("验收销号"), forms.VerifyForm,
               lambda actor, h, f: services.verify_hazard(actor, h, note=f.cleaned_data["note"], expected_version=f.cleaned_data["version"]),
               gettext_lazy("验收合格，已销号。"), style="success"),
    ActionPage("promote", "promote", gettext_lazy("转为重点工作任务"), forms.PromoteForm,
               lambda actor, h, f: services.promote_hazard(actor, h, campaign=f.cleaned_data["campaign"], expected_version=f.cleaned_data["version"]),
               gettext_lazy("已转为重点工作任务（草稿），请到重点工作台账补全后立账交办。"), style="outline-primary"),
    ActionPage("return", "return", gettext_lazy("验收退回"), forms.ReturnForm,
               lambda actor, h, f: services.return_hazard(actor, h, reason=f.cleaned_data["reason"], expected_version=f.cleaned_data["version"]),
               gettext_lazy("已退回整改。"), style="outline-danger"),
]
ACTIONS = {page.name: page for page in ACTION_LIST}
BY_SLUG = {page.slug: page for page in ACTION_LIST}


@safety_page
def hazard_action(request, code, action):
    page = page_for(BY_SLUG, action)
    hazard = selectors.hazard_for(request.user, code)
    refusal, status = why_not(HAZARD_KIND, hazard, request.user, page.name, state=False)
    form = page.form(request.POST or None, request.FILES or None, hazard=hazard)
    action_url = reverse("safety:hazard_action", args=[hazard.code, page.slug])
    return action_view(request, page, hazard, form=form, refusal=refusal, status=status, back=hazard_url(hazard),
                       run=lambda actor: page.run(actor, hazard, form), template="safety/action_form.html",
                       context=lambda hazard: {"hazard": hazard, "action_url": action_url})
