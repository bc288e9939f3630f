"""The enterprise's pages, no account (SPEC §5): the appeal form, its result (the tracking number and the query
code, shown once), the tracking page with the public replies and the rating, and the QR poster the business
office prints. Views only validate, throttle and call one service.

Nothing here is behind a sign-in: a staff member's session is ignored (the enterprise acts as a named system
actor, the page shows no staff navigation), and none of these pages may be cached — they carry a code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from duban.appeals import poster as qr
from duban.appeals import public_forms as forms
from duban.appeals import selectors, services
from duban.appeals.choices import AppealState, RatedVia, Urgency
from duban.appeals.models import Appeal, TimeLimit
from duban.core import throttle
from duban.core.actor import Actor, client_ip, new_request_id
from duban.core.manage_forms import submit

WEB = "企业（网上）"  # the actor's name in the timeline and the audit trail when an enterprise submits on the form
SUBMITTED = "appeal.submitted"  # session: the number and code of the appeal just submitted (the code popped when shown)
TRACKING = "appeal.tracking"  # session: the appeal whose number and code were entered, for the rating that follows
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)

# What the enterprise reads for each state (the desk's words — 待派单, 待回访 — are the office's to-do, not theirs).
STATUS = {
    AppealState.SUBMITTED: gettext_lazy("已提交待受理"),
    AppealState.ACCEPTED: gettext_lazy("已受理"),
    AppealState.DISPATCHED: gettext_lazy("已转交承办单位"),
    AppealState.HANDLING: gettext_lazy("办理中"),
    AppealState.REPLIED: gettext_lazy("已答复"),
    AppealState.CLOSED: gettext_lazy("已办结"),
    AppealState.DECLINED: gettext_lazy("不予受理"),
    AppealState.MERGED: gettext_lazy("已合并办理"),
}
# The states in which the handling unit is the enterprise's business (after a send-back it is the office's again).
UNIT_SHOWN = frozenset({AppealState.DISPATCHED, AppealState.HANDLING, AppealState.REPLIED, AppealState.CLOSED})


@dataclasses.dataclass(frozen=True)
class Limit:
    """One rate limit of the public pages: a throttle scope, the identity it counts, how many in which window."""

    scope: str
    ident: str
    limit: int
    per: dt.timedelta


def _refused(limits: list[Limit]) -> throttle.Verdict | None:
    """The first of `limits` already used up (nothing counted), else None."""
    for limit in limits:
        verdict = throttle.peek(limit.scope, limit.ident, limit=limit.limit, per=limit.per)
        if not verdict.allowed:
            return verdict
    return None


def _count(limits: list[Limit]) -> throttle.Verdict | None:
    """Count one attempt against each of `limits` (outside any transaction); the first now over, else None."""
    over = None
    for limit in limits:
        verdict = throttle.hit(limit.scope, limit.ident, limit=limit.limit, per=limit.per)
        over = over or (None if verdict.allowed else verdict)
    return over


def _too_many(request, verdict: throttle.Verdict, message: str, *, back: str) -> HttpResponse:
    """429 with a Chinese page saying when to try again (and Retry-After for a script)."""
    context = {"message": message % {"minutes": verdict.minutes}, "back": reverse(back), "county": _county()}
    response = render(request, "appeals/public_throttled.html", context, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _enterprise(request) -> Actor:
    """The enterprise on the form: no account (whoever is signed in in this browser is not acting), its address."""
    return Actor(user=None, request_id=getattr(request, "request_id", "") or new_request_id(), ip=client_ip(request), system_name=WEB)


def _county() -> str:
    return settings.DUBAN_COUNTY_NAME


@never_cache
@require_http_methods(["GET", "POST"])
def intake(request):
    """提交诉求: the form; a valid one is submitted once (the result page next), a refused one comes back with
    what to fix on each field and nothing stored; too many from one address or phone answer 429."""
    posted = request.method == "POST"  # an empty POST is a form with nothing filled in, not a blank page
    form = forms.IntakeForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        status = 400  # a refused form: 400 with what to fix (403 should the service refuse the actor)
        if form.is_valid():
            phone = "".join(ch for ch in form.cleaned_data["phone"] if ch.isdigit())
            limits = [Limit("appeal.submit.ip", client_ip(request), settings.DUBAN_APPEAL_SUBMITS_PER_IP, HOUR),
                      Limit("appeal.submit.phone", phone, settings.DUBAN_APPEAL_SUBMITS_PER_PHONE, DAY)]
            over = _refused(limits)
            if over is not None:
                return _too_many(request, over, _("提交过于频繁，请 %(minutes)s 分钟后再提交；急事请直接致电县营商办。"), back="appeal:intake")
            made = {}
            done, _conflict, said = submit(form, lambda: made.update(submitted=services.submit_appeal(_enterprise(request), **form.service_values())))
            if done:
                # Counted once stored (a refused form does not use up the enterprise's attempts); `_refused` above
                # keeps the next one out (requests at the very same moment may each pass it: a bound, not an exact count).
                _count(limits)
                submitted = made["submitted"]
                request.session[SUBMITTED] = {"number": submitted.appeal.code, "code": submitted.query_code}
                return redirect("appeal:done")
            status = 400 if said == 200 else said
    return render(request, "appeals/public_intake.html", {"form": form, "county": _county()}, status=status)


@never_cache
@require_GET
def done(request):
    """The result: the tracking number, and the query code this once (popped from the session as it is shown)."""
    submitted = request.session.get(SUBMITTED) or {}
    code = submitted.get("code", "")
    if code:
        request.session[SUBMITTED] = {"number": submitted["number"]}
    context = {"number": submitted.get("number", ""), "code": code, "county": _county(),
               "accept_days": TimeLimit.for_appeal("", Urgency.NORMAL)["accept_days"]}
    return render(request, "appeals/public_done.html", context)


def _guess_limits(request, number: str) -> list[Limit]:
    return [Limit("appeal.track.ip", client_ip(request), settings.DUBAN_APPEAL_GUESSES_PER_IP, HOUR),
            Limit("appeal.track.number", number.strip().upper(), settings.DUBAN_APPEAL_GUESSES_PER_NUMBER, HOUR)]


GUESSES = gettext_lazy("查询过于频繁，请 %(minutes)s 分钟后再试。")


def _tracked(request):
    """The appeal whose number and code this browser entered (re-read: the session holds its id and number only)."""
    held = request.session.get(TRACKING) or {}
    appeal = selectors.by_tracking(held.get("number", ""))
    return appeal if appeal is not None and appeal.pk == held.get("pk") else None


def _verified(number: str, code: str):
    """The appeal if `code` is its query code; None for a wrong code and an unknown number alike."""
    appeal = selectors.by_tracking(number)
    if appeal is None:
        services.code_matches(Appeal(secret_hash="sha256$0$0"), code)  # as long as a wrong code takes: the time tells nothing either
        return None
    return appeal if services.code_matches(appeal, code) else None


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """查询: number + code open the appeal's status, its public replies and, once answered, the rating form.
    Wrong guesses are counted per address and per number (429 past the limit); a wrong code and an unknown
    number get the same words."""
    action = request.POST.get("action", "lookup") if request.method == "POST" else ""
    if action == "leave":
        request.session.pop(TRACKING, None)
        return redirect("appeal:track")
    if action == "rate":
        return _rate(request)
    form = forms.TrackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _lookup_page(request, form, status=400)
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
        limits = _guess_limits(request, number)
        over = _refused(limits)
        if over is not None:
            return _too_many(request, over, GUESSES, back="appeal:track")
        appeal = _verified(number, code)
        if appeal is None:
            over = _count(limits)
            if over is not None:
                return _too_many(request, over, GUESSES, back="appeal:track")
            form.add_error(None, _("受理编号或查询码不正确。"))
            return _lookup_page(request, form, status=400)
        request.session.cycle_key()  # a new session id for what the code opened
        request.session[TRACKING] = {"pk": appeal.pk, "number": appeal.code}
        return redirect("appeal:track")
    appeal = _tracked(request)
    if appeal is None:
        return _lookup_page(request, form)
    return _status_page(request, appeal)


def _lookup_page(request, form, *, status: int = 200):
    return render(request, "appeals/public_track.html", {"form": form, "county": _county()}, status=status)


def _status_page(request, appeal, rating_form=None, *, status: int = 200):
    """What the enterprise may read of its own appeal: the status in its words, the handling unit, the public
    replies round by round and their ratings; never the internal note, never another appeal."""
    replies = selectors.replies_of(appeal)
    rateable = appeal.state == AppealState.REPLIED
    if rateable and rating_form is None:
        rating_form = forms.RatingForm(initial={"version": appeal.version})
    context = {
        "appeal": appeal, "status": STATUS[appeal.state], "county": _county(),
        "unit": appeal.lead_unit if appeal.state in UNIT_SHOWN else None,
        "open": appeal.is_open, "reopened": appeal.reopen_count and appeal.state == AppealState.HANDLING,
        "replies": [{"round": r.round, "unit": r.unit, "on": r.replied_on, "outcome": r.get_outcome_display(), "text": r.public_text,
                     "basis": r.legal_basis, "rating": r.get_rating_display() if r.rating else "", "comment": r.rating_comment}
                    for r in replies],
        "rating_form": rating_form if rateable else None,
    }
    return render(request, "appeals/public_track.html", context, status=status)


def _rate(request):
    """评价 (POST): the appeal this browser opened with its code, re-read and still awaiting the rating."""
    appeal = _tracked(request)
    if appeal is None or request.POST.get("number", "").strip().upper() != appeal.code:
        messages.error(request, _("查询已过期，请重新输入受理编号和查询码。"))
        return redirect("appeal:track")
    form = forms.RatingForm(request.POST)
    if appeal.state != AppealState.REPLIED:
        messages.info(request, _("该诉求当前不在待评价状态，评价未提交。"))
        return redirect("appeal:track")
    if not form.is_valid():
        return _status_page(request, appeal, form, status=400)
    actor = dataclasses.replace(services.enterprise_actor(), ip=client_ip(request))
    done, conflict, status = submit(form, lambda: services.rate_appeal(
        actor, appeal, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"], via=RatedVia.ENTERPRISE,
        expected_version=form.cleaned_data["version"]))
    if conflict:
        messages.error(request, conflict)
        return redirect("appeal:track")
    if not done:
        return _status_page(request, appeal, form, status=400 if status == 200 else status)
    messages.success(request, _("感谢您的评价。") if appeal.state == AppealState.CLOSED
                     else _("已收到您的评价，诉求已转回承办单位重新办理。"))
    return redirect("appeal:track")


def _expectations() -> list[str]:
    """What the enterprise can count on, in SPEC §5's limits (or the office's edits of them) for an ordinary appeal."""
    days = TimeLimit.for_appeal("", Urgency.NORMAL)
    return [
        _("县营商办 %(accept)s 个工作日内受理，受理后 %(dispatch)s 个工作日内转交承办单位。") % {"accept": days["accept_days"], "dispatch": days["dispatch_days"]},
        _("承办单位 %(sign)s 个工作日内签收，%(reply)s 个工作日内答复（复杂诉求经批准不超过 %(complex)s 个工作日）。")
        % {"sign": days["sign_days"], "reply": days["reply_days"], "complex": days["complex_days"]},
        _("答复后 %(callback)s 个工作日内回访；您可凭受理编号和查询码评价，不满意的重新办理。") % {"callback": days["callback_days"]},
    ]


def _intake_address(request) -> str:
    return qr.absolute_url(reverse("appeal:intake"), request)


@require_GET
def poster(request):
    """The A4 poster the business office prints: county, title, the form's QR code and address, what to expect."""
    office = selectors.office_unit()
    context = {**qr.poster_context(reverse("appeal:intake"), office=office.name if office else "", request=request),
               "county": _county(), "track_url": qr.absolute_url(reverse("appeal:track"), request), "expectations": _expectations()}
    return render(request, "appeals/public_poster.html", context)


@require_GET
def poster_svg(request):
    """The form's QR code as an SVG file (for a designer's own poster)."""
    svg = '<?xml version="1.0" encoding="utf-8"?>\n' + qr.qr_svg(_intake_address(request))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="appeal-qr.svg"'
    return response


@require_GET
def poster_png(request):
    """The form's QR code as a PNG file (10 pixels a module: sharp when printed at 4 cm)."""
    response = HttpResponse(qr.qr_png(_intake_address(request)), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="appeal-qr.png"'
    return response
