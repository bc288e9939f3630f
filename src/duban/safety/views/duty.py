"""The duty pages (值班值守): today's duty board, the posts and their rosters, the one-tap hand-over, the lapse of a
critical post. Views only validate, load through `visible_to` and call one service."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core.actor import Actor
from duban.core.choices import Role, UnitKind
from duban.core.errors import ServiceError
from duban.core.manage_forms import submit
from duban.core.models import Unit, User
from duban.core.scope import acting_units
from duban.matters import services as kernel
from duban.safety import forms, selectors
from duban.safety.kind import LAPSE_KIND
from duban.safety.policies import is_safety_office, may_keep_posts
from duban.safety.services import duty
from duban.safety.views.common import safety_page

ROSTER_BEFORE, ROSTER_AFTER = 7, 30  # days of the roster shown around today


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def kept_townships(user):
    """The townships whose posts `user` keeps: all for the safety office, else those they act for."""
    townships = Unit.objects.filter(kind=UnitKind.TOWNSHIP, is_active=True)
    return townships if is_safety_office(user) else townships.filter(pk__in=acting_units(user))


def may_add_posts(user) -> bool:
    return is_safety_office(user) or kept_townships(user).exists()


@safety_page
def duty_board(request):
    """值班表: the day's posts by township with who is on duty and whether they confirmed; red for a critical
    post's shift past its start unconfirmed."""
    today = timezone.localdate()
    day = _date(request.GET.get("date"), today)
    context = {"towns": selectors.duty_board(request.user, day), "day": day, "today": today,
               "prev": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1), "may_add": may_add_posts(request.user)}
    return render(request, "safety/duty_board.html", context)


@safety_page
def post_list(request):
    posts = list(selectors.posts_for(request.user))
    return render(request, "safety/post_list.html", {"posts": posts, "may_add": may_add_posts(request.user)})


@safety_page
def post_edit(request, pk: int | None = None):
    """设置值守点 (new, or one the user keeps)."""
    post = selectors.post_for(request.user, pk) if pk is not None else None
    if post is not None and not may_keep_posts(request.user, post.township_id):
        raise PermissionDenied(_("只有值守点所在乡镇的一把手、联络员或县安委办可以修改值守点。"))
    townships = kept_townships(request.user)
    if post is None and not townships.exists():
        raise PermissionDenied(_("只有乡镇的一把手、联络员或县安委办可以设置值守点。"))
    initial = {} if post is None else {f: getattr(post, f) for f in ("name", "township", "kind", "critical", "active", "note")}
    form = forms.PostForm(request.POST or None, initial=initial or {"active": True}, townships=townships)
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        done, _conflict, status = submit(form, lambda: made.update(post=duty.save_post(Actor.from_request(request), post, **form.cleaned_data)))
        if done:
            messages.success(request, _("值守点已保存。"))
            return redirect("safety:post_roster", made["post"].pk)
    return render(request, "safety/post_form.html", {"form": form, "post": post}, status=status)


@safety_page
def post_roster(request, pk: int):
    """The post's roster: its shifts by date, a week back and a month ahead (or from ?from=)."""
    post = selectors.post_for(request.user, pk)
    today = timezone.localdate()
    first = _date(request.GET.get("from"), today - dt.timedelta(days=ROSTER_BEFORE))
    last = first + dt.timedelta(days=ROSTER_BEFORE + ROSTER_AFTER)
    context = {"post": post, "shifts": selectors.roster(request.user, post, first, last), "first": first, "last": last,
               "keeps": may_keep_posts(request.user, post.township_id), "today": today}
    return render(request, "safety/post_roster.html", context)


def _people_for(post):
    """Who may be put on the roster: the active people of the township and the units under it, and whoever has
    been on duty at this post before (a forest ranger of the forestry bureau)."""
    township = post.township
    return (User.objects.filter(is_active=True).filter(Q(unit__path__startswith=township.path) | Q(duty_shifts__post=post))
            .exclude(role_grants__role__in=[Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN])
            .select_related("unit").distinct().order_by("unit__path", "full_name", "id"))


@safety_page
def post_schedule(request, pk: int):
    """排班: a date range and the people taking turns."""
    post = selectors.post_for(request.user, pk)
    if not may_keep_posts(request.user, post.township_id):
        raise PermissionDenied(_("只有值守点所在乡镇的一把手、联络员或县安委办可以排班。"))
    form = forms.ScheduleForm(request.POST or None, people=_people_for(post), initial={"first": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        made = {}
        done, _conflict, status = submit(form, lambda: made.update(shifts=duty.schedule_shifts(Actor.from_request(request), post, **form.service_values())))
        if done:
            messages.success(request, _("已排班 %(n)s 天。") % {"n": len(made["shifts"])})
            return redirect("safety:post_roster", post.pk)
    return render(request, "safety/post_schedule.html", {"form": form, "post": post}, status=status)


def _back(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
@require_POST
def shift_confirm(request, pk: int):
    """确认到岗/交接班: one tap of the person on duty (POST with the CSRF token); no location, no photo."""
    shift = selectors.shift_for(request.user, pk)
    try:
        duty.confirm_handover(Actor.from_request(request), shift, note=request.POST.get("note", "")[:300])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已确认到岗：%(post)s %(hours)s。") % {"post": shift.post, "hours": shift.hours})
    return redirect(_back(request, reverse("home")))


@safety_page
def shift_cancel(request, pk: int):
    shift = selectors.shift_for(request.user, pk)
    if not may_keep_posts(request.user, shift.post.township_id):
        raise PermissionDenied(_("只有值守点所在乡镇的一把手、联络员或县安委办可以取消班次。"))
    form = forms.CancelShiftForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        done, _conflict, status = submit(form, lambda: duty.cancel_shift(Actor.from_request(request), shift, reason=form.cleaned_data["reason"]))
        if done:
            messages.success(request, _("班次已取消。"))
            return redirect("safety:post_roster", shift.post_id)
    return render(request, "safety/shift_cancel.html", {"form": form, "shift": shift}, status=status)


@safety_page
def lapse_detail(request, code: str):
    """值守未确认: the lapse, its shift and timeline; the township closes it with what happened."""
    lapse = selectors.lapse_for(request.user, code)
    may_close = kernel.may(lapse, "close", request.user, kind=LAPSE_KIND)
    form = forms.CloseLapseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_close:
            raise PermissionDenied(LAPSE_KIND.machine.transitions["close"].refusal)
        if form.is_valid():
            done, _conflict, status = submit(form, lambda: duty.close_lapse(Actor.from_request(request), lapse, reason=form.cleaned_data["reason"]))
            if done:
                messages.success(request, _("已说明情况并关闭。"))
                return redirect("safety:lapse_detail", lapse.code)
    context = {"lapse": lapse, "shift": lapse.shift, "events": selectors.lapse_timeline(lapse), "form": form, "may_close": may_close,
               "may_confirm": not duty.refusal_to_confirm(lapse.shift, request.user)}
    return render(request, "safety/lapse_detail.html", context, status=status)
