"""The inbox (every signed-in person, their own messages only), the units' group robots and the delivery log.

The robots are set by the supervision office (any unit) and a unit head (his own units), never by the
system admin: whoever sets a robot's address receives the full texts. The log is for the office and the
system admin; it shows the system admin channel, target, state and errors but not the messages' text:
三员 hold no business data.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duban.core.actor import Actor
from duban.core.choices import Role
from duban.core.errors import ServiceError
from duban.core.paging import BadCursor, Keyset
from duban.core.permissions import role_required
from duban.notify import selectors, services
from duban.notify.choices import DeliveryState
from duban.notify.forms import ChannelForm, DeliveryFilterForm
from duban.notify.models import Delivery, Notification, UnitChannel

INBOX_PAGE = 30
LOG_PAGE = 50
LOG_KEYSET = Keyset(["-id"])
ROBOT_ROLES = services.ROBOT_ROLES
LOG_ROLES = services.LOG_ROLES


def _page(request, keyset: Keyset, rows, size: int):
    """A keyset page; a broken cursor shows the first page with a message instead of an error."""
    try:
        return selectors.page_of(keyset, rows, request.GET.get("cursor") or None, size)
    except BadCursor as exc:
        messages.error(request, str(exc))
        return keyset.page(rows, size=size)


@login_required
def inbox(request):
    """消息: newest first, the unread ones marked; a fixed number of queries whatever the number of rows."""
    unread_only = request.GET.get("unread") == "1"
    rows = selectors.inbox(request.user, unread_only=unread_only).defer("body")
    page = _page(request, selectors.INBOX_KEYSET, rows, INBOX_PAGE)
    return render(request, "notify/inbox.html", {
        "page": page, "unread_only": unread_only,
        **_tabs(request.user),
    })


@login_required
def detail(request, pk: int):
    """One message; opening it marks it read. Another person's message is "not found"."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(request.user, notification)
    return render(request, "notify/detail.html", {"note": notification})


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("已将 %(n)d 条消息标为已读。") % {"n": count})
    else:
        messages.info(request, _("没有未读消息。"))
    return redirect("notify:inbox")


def _tabs(user) -> dict:
    """Which tabs above the inbox, robots and log a person sees."""
    robots, log = user.has_role(*ROBOT_ROLES), user.has_role(*LOG_ROLES)
    return {"may_manage": robots or log, "may_set_robots": robots, "may_see_log": log}


# --- group robots --------------------------------------------------------------------------------------


def _robots(user):
    """The robots this person may see and set: all for the office, those of his own units for a unit head."""
    return UnitChannel.objects.select_related("unit", "updated_by").filter(unit__in=services.robot_units(user))


@role_required(*ROBOT_ROLES)
def channel_list(request):
    """The units' robots with who set each last and the state of its latest post (one query)."""
    latest = Delivery.objects.filter(unit_channel=OuterRef("pk")).order_by("-id")
    robots = (_robots(request.user).order_by("unit__sort_key", "kind")
              .annotate(last_state=Subquery(latest.values("state")[:1]), last_at=Subquery(latest.values("created_at")[:1]),
                        last_error=Subquery(latest.values("last_error")[:1])))
    return render(request, "notify/channel_list.html", {"robots": robots, "state_labels": dict(DeliveryState.choices),
                                                        **_tabs(request.user)})


def _save(request, robot: UnitChannel | None):
    initial = {"enabled": True}
    if robot is not None:
        initial = {"unit": robot.unit, "kind": robot.kind, "webhook_url": robot.webhook_url, "enabled": robot.enabled}
    elif request.GET.get("unit", "").isdigit():
        initial["unit"] = request.GET["unit"]
    form = ChannelForm(request.POST or None, initial=initial, units=services.robot_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            robot = services.save_channel(
                Actor.from_request(request), robot, unit=data["unit"], kind=data["kind"],
                webhook_url=data["webhook_url"], secret=form.secret_value(), enabled=data["enabled"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已保存“%(name)s”。可点“发送测试消息”检查群里能否收到。") % {"name": robot})
            return redirect("notify:channel_edit", pk=robot.pk)
    return render(request, "notify/channel_form.html", {"form": form, "robot": robot, **_tabs(request.user)})


@role_required(*ROBOT_ROLES)
def channel_create(request):
    return _save(request, None)


@role_required(*ROBOT_ROLES)
def channel_edit(request, pk: int):
    """Another unit's robot is "not found" for a unit head."""
    return _save(request, get_object_or_404(_robots(request.user), pk=pk))


@role_required(*ROBOT_ROLES)
@require_POST
def channel_test(request, pk: int):
    """发送测试消息: queued at once, whatever the hour; the log (or, for a unit head, the robot's page) shows how it went."""
    robot = get_object_or_404(_robots(request.user), pk=pk)
    try:
        services.send_test(Actor.from_request(request), robot)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("notify:channel_edit", pk=robot.pk)
    if not request.user.has_role(*LOG_ROLES):
        messages.success(request, _("测试消息已加入发送队列，请看群里是否收到；“群机器人”列表的“最近一次推送”显示结果。"))
        return redirect("notify:channel_edit", pk=robot.pk)
    messages.success(request, _("测试消息已加入发送队列，请看群里是否收到；下表是该机器人的发送记录，刷新可看最新结果。"))
    return redirect(f"{reverse('notify:delivery_list')}?robot={robot.pk}")


# --- delivery log --------------------------------------------------------------------------------------


@role_required(*LOG_ROLES)
def delivery_list(request):
    """发送记录: every push with its state, attempts and errors, newest first (a fixed number of queries)."""
    form = DeliveryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = Delivery.objects.all()
    if data.get("state"):
        rows = rows.filter(state=data["state"])
    if data.get("channel"):
        rows = rows.filter(channel=data["channel"])
    robot = None
    if data.get("robot"):
        robot = UnitChannel.objects.select_related("unit").filter(pk=data["robot"]).first()
        rows = rows.filter(unit_channel_id=data["robot"])
    page = _page(request, LOG_KEYSET, rows.defer("body"), LOG_PAGE)
    return render(request, "notify/delivery_list.html", {
        "page": page, "form": form, "robot": robot,
        "show_text": request.user.has_role(Role.SUPERVISION),
        "filtered": bool(data.get("state") or data.get("channel") or robot),
        "failed_state": DeliveryState.FAILED, **_tabs(request.user),
    })
