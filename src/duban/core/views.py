"""The shell: sign-in, home, password change, and the scoped unit and people directories."""

import datetime as dt
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import attachments, services, work
from duban.core.actor import Actor
from duban.core.errors import ServiceError
from duban.core.forms import PasswordChangeForm, SignInForm, lockout_minutes
from duban.core.middleware import password_expired
from duban.core.models import RoleGrant, Unit, User
from duban.core.scope import unit_scope

PAGE_SIZE = 50


class SignInView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


def lockout(request, original_response=None, credentials=None):
    """What django-axes shows (429) for the failure that locks an account and for every try while it is locked:
    the sign-in page with the reason, the time left and the way out."""
    limit, minutes = settings.AXES_FAILURE_LIMIT, lockout_minutes()
    username = request.POST.get("username", "")
    # axes counts a failure only when it checked the password; a try refused for the lock is not counted.
    if getattr(request, "axes_failures_since_start", None) is not None:
        message = _("登录名或密码不正确。该账号已连续 %(limit)s 次输错密码，现已锁定 %(minutes)s 分钟。请 %(left)s 分钟后再试，或联系系统管理员解锁。")
    else:
        message = _("该账号已连续 %(limit)s 次输错密码，已被锁定 %(minutes)s 分钟。请 %(left)s 分钟后再试，或联系系统管理员解锁。")
    message %= {"limit": limit, "minutes": minutes, "left": _minutes_left(username, minutes)}
    # An unbound form: rendering the posted one would validate it, i.e. authenticate (and log a failure) again.
    form = SignInForm(request, initial={"username": username})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)


def _minutes_left(username: str, minutes: int) -> int:
    """Whole minutes, rounded up, until the lock on `username` runs out (it runs from the last counted failure)."""
    from axes.models import AccessAttempt

    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return minutes
    seconds = (last + dt.timedelta(minutes=minutes) - timezone.now()).total_seconds()
    return max(1, min(minutes, math.ceil(seconds / 60)))


@login_required
def home(request):
    """The greeting page: who you are, your unit and roles, and what you must do today: the first items of
    each kind of work, most urgent first, with the exact count of each and a link to the rest."""
    today = timezone.localdate()
    sections = work.sections_for(request.user, today)
    context = {"expired": password_expired(request.user), "work_sections": sections,
               "work_total": sum(section.count for section in sections), "today": today}
    return render(request, "core/home.html", context)


@login_required
def work_more(request, key):
    """The next page of one kind of the user's work: its items alone for htmx (appended to the home page's
    list), else a page of its own with a link to the one after."""
    today = timezone.localdate()
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = 0
    section = work.section_page(request.user, today, key, offset=offset)
    if section is None:
        raise Http404(_("没有这类待办事项。"))
    template = "core/_work_items.html" if request.htmx else "core/work_more.html"
    return render(request, template, {"section": section, "today": today})


@login_required
def attachment_download(request, pk):
    """A file, if the record it belongs to is in the user's scope; otherwise 404 (never a hint it exists)."""
    attachment = attachments.visible_attachment(request.user, pk)
    if attachment is None:
        raise Http404(_("没有找到该附件，或它不在您的职责范围内。"))
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("附件文件已不存在，请联系系统管理员。")) from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(Actor.from_request(request), form.cleaned_data["old_password"], form.cleaned_data["new_password1"])
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。您此前创建的访问令牌已全部失效，使用令牌的程序请换用新令牌。"))
            return redirect("home")
    rules = password_validation.password_validators_help_texts()
    return render(request, "registration/password_change.html", {"form": form, "expired": password_expired(request.user), "rules": rules})


@login_required
def unit_directory(request):
    """The org tree as far as the user may see it, with head-counts."""
    q = request.GET.get("q", "").strip()
    units = Unit.objects.visible_to(request.user).filter(is_active=True).select_related("parent")
    if q:
        units = units.filter(Q(name__contains=q) | Q(short_name__contains=q))
    units = units.annotate(people_count=Count("people", filter=Q(people__is_active=True))).order_by("sort_key")
    return render(request, "core/unit_list.html", {"units": units, "q": q})


@login_required
def unit_detail(request, pk):
    unit = get_object_or_404(Unit.objects.visible_to(request.user).select_related("parent"), pk=pk)
    people = _people(request.user).filter(unit=unit)
    children = Unit.objects.visible_to(request.user).filter(parent=unit, is_active=True)
    leaders = User.objects.visible_to(request.user).filter(charges__unit=unit).distinct()
    return render(request, "core/unit_detail.html", {"unit": unit, "people": people, "children": children, "leaders": leaders,
                                                     "profile": unit_scope(request.user).allows(unit.pk)})


@login_required
def people_directory(request):
    """People the user may see, searchable by name, title, unit or phone; a fixed number of queries per page."""
    q = request.GET.get("q", "").strip()
    people = _people(request.user)
    if q:
        people = people.filter(Q(full_name__contains=q) | Q(title__contains=q) | Q(unit__name__contains=q) | Q(phone__contains=q))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/people_list.html", {"page": page, "q": q})


def _people(user):
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("unit")
        .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role")))
        .order_by("unit__sort_key", "id")
    )


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (a page kept open for hours, a browser refusing cookies): what to do, in
    Chinese, instead of Django's English page. The public appeal form is the page most exposed to it."""
    message = _("页面已过期或浏览器未允许 Cookie，表单没有提交。请刷新页面（在手机上请允许本网站使用 Cookie）后重新填写提交。")
    return render(request, "403.html", {"exception": message, "csrf": True}, status=403)
