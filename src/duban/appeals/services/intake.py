"""Intake (SPEC §5): an appeal comes in on any channel — the public form, staff typing a phone call, a visit, a
12345 ticket or a leader's visit, the hotline system's API — and ends in the same lifecycle. Everything is
checked before anything is stored: a refused form leaves no row and no file behind."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.appeals import creditcode, policies
from duban.appeals.choices import REPEAT_DAYS, STAFF_CHANNELS, AppealState, Category, Channel, EventKind, Urgency
from duban.appeals.kind import APPEAL_KIND
from duban.appeals.models import Appeal, TimeLimit, enterprise_key_of
from duban.core import attachments as attachment_store
from duban.core import calendar
from duban.core.actor import Actor
from duban.core.errors import NotAllowed, ServiceError
from duban.matters import numbering
from duban.matters import services as kernel

MAX_FILES = 5
DESCRIPTION_MAX = 2000
# The query code: 10 characters with no 0/O, 1/I/L look-alikes (≈ 49 bits); guesses are throttled besides.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8})$")


@dataclass(frozen=True)
class Submitted:
    """The new appeal and its query code, shown once to whoever submitted it and never stored."""

    appeal: Appeal
    query_code: str
    # A hotline ticket pushed again (same hotline_ref): the appeal it made the first time, and no code (never stored).
    existing: bool = False


def hash_code(code: str, salt: str | None = None) -> str:
    """The stored form of a query code: sha256 over a per-appeal salt (the code is random, long and throttled)."""
    salt = salt or secrets.token_hex(8)
    return f"sha256${salt}${hashlib.sha256((salt + code.upper()).encode()).hexdigest()}"


def code_matches(appeal: Appeal, code: str) -> bool:
    """True if `code` is the appeal's query code (compared in constant time)."""
    try:
        _algo, salt, _digest = appeal.secret_hash.split("$", 2)
    except ValueError:
        return False
    cleaned = re.sub(r"[\s-]", "", code or "").upper()
    return secrets.compare_digest(hash_code(cleaned, salt), appeal.secret_hash)


def new_query_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _next_code(year: int) -> str:
    numbering.lock(APPEAL_KIND.key, year)
    return numbering.next_number(Appeal.objects.all(), "code", f"SQ{year}-", 6)


def _text(value, what: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("请填写%(what)s。") % {"what": what}, field=field)
    if len(value) > limit:
        raise ServiceError(_("%(what)s最多 %(limit)s 个字，您填写了 %(n)s 个字，请精简后再提交。") % {"what": what, "limit": limit, "n": len(value)}, field=field)
    return value


def check_phone(phone: str) -> str:
    cleaned = re.sub(r"[\s（）()]", "", phone or "")
    if not cleaned:
        raise ServiceError(_("请填写联系电话，以便承办单位和县营商办联系您。"), field="phone")
    if not PHONE.match(cleaned):
        raise ServiceError(_("联系电话“%(phone)s”格式不对：请填写11位手机号，或带区号的固定电话（如 0951-1234567）。") % {"phone": phone.strip()[:20]}, field="phone")
    return cleaned


def summary(description: str) -> str:
    """The appeal's title: its description's first line, cut at 60 characters."""
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first[:60] + ("…" if len(first) > 60 else "")


def repeat_of(key: str, category: str, on) -> Appeal | None:
    """The closed appeal of the same enterprise and category this one comes within 90 days of, if any."""
    return (Appeal.objects.filter(enterprise_key=key, category=category, state=AppealState.CLOSED,
                                  closed_on__gte=on - timezone.timedelta(days=REPEAT_DAYS), closed_on__lte=on)
            .order_by("-closed_on", "-id").first())


def _checked_files(files) -> list:
    files = [f for f in (files or ()) if f]
    if len(files) > MAX_FILES:
        raise ServiceError(_("最多上传 %(n)s 个附件，请合并后再上传。") % {"n": MAX_FILES}, field="attachments")
    for upload in files:
        attachment_store.check(upload)
    return files


def intake_limits(category: str, urgency: str) -> dict[str, int]:
    return TimeLimit.for_appeal(category, urgency)


@transaction.atomic
def submit_appeal(actor: Actor, *, channel: str = Channel.WEB, enterprise_name: str, credit_code: str = "", contact_name: str,
                  phone: str, category: str, description: str, urgency: str = Urgency.NORMAL, identity_hidden: bool = False,
                  attachments=(), hotline_ref: str = "") -> Submitted:
    """提交诉求: checked whole before anything is written; the appeal waits for the business office to accept it
    within the accept limit. A closed appeal of the same enterprise and category within 90 days makes it a repeat.
    A 12345 ticket already received (channel hotline, same hotline_ref) gives back its appeal, `existing`."""
    user = actor.user
    if channel not in Channel.values:
        raise ServiceError(_("来源渠道无效。"), field="channel")
    # A problem raised on a key project comes from its project's page (projects.services.raise_problem says who may).
    if user is not None and not policies.is_desk(user) and channel != Channel.PROJECT:
        raise NotAllowed(_("只有县营商办可以登记电话、来访、热线和领导走访诉求。"))
    if channel in STAFF_CHANNELS and user is None and channel != Channel.HOTLINE:
        raise NotAllowed(_("电话、来访和领导走访诉求由县营商办登记。"))
    name = _text(enterprise_name, _("企业名称"), "enterprise_name", 100)
    code = creditcode.normalize(credit_code)
    if code or channel == Channel.WEB:
        code = creditcode.validate(code)
    contact = _text(contact_name, _("联系人"), "contact_name", 40)
    phone = check_phone(phone)
    if category not in Category.values:
        raise ServiceError(_("请选择诉求类别。"), field="category")
    if urgency not in Urgency.values:
        raise ServiceError(_("紧急程度无效。"), field="urgency")
    text = _text(description, _("诉求内容"), "description", DESCRIPTION_MAX)
    files = _checked_files(attachments)
    now = timezone.now()
    today = timezone.localdate(now)
    ticket = (hotline_ref or "").strip()[:40]
    if ticket and channel == Channel.HOTLINE:
        # A hotline system retries a push it got no answer to: the same ticket is the same appeal, never a second.
        # Checked under the numbering lock, so two pushes of one ticket at once cannot both create.
        numbering.lock(APPEAL_KIND.key, today.year)
        pushed = Appeal.objects.filter(channel=Channel.HOTLINE, hotline_ref=ticket).order_by("id").first()
        if pushed is not None:
            return Submitted(pushed, "", existing=True)
    limits = intake_limits(category, urgency)
    secret = new_query_code()
    key = enterprise_key_of(code, name)
    earlier = repeat_of(key, category, today)
    appeal = Appeal(
        code=_next_code(today.year), secret_hash=hash_code(secret), channel=channel, category=category, urgency=urgency,
        enterprise_name=name, credit_code=code, contact_name=contact, phone=phone, identity_hidden=bool(identity_hidden),
        title=summary(text), description=text, hotline_ref=ticket, entered_by=user,
        state=AppealState.SUBMITTED, start_date=today, due_date=calendar.add_workdays(today, limits["accept_days"]),
        holder_unit=office_unit(), repeat_of=earlier, repeat_unit=earlier.closed_by_unit if earlier else None,
        created_at=now, updated_at=now,
    )
    appeal.save()
    for upload in files:
        attachment_store.store(upload, owner=appeal, user=user)
    again = f"（{earlier.code} 办结后 {REPEAT_DAYS} 天内重复诉求）" if earlier else ""
    kernel.created(actor, appeal, text=f"{Channel(channel).label}：{Category(category).label}诉求{again}",
                   event=EventKind.SUBMITTED, audit_action="submit", kind=APPEAL_KIND)
    return Submitted(appeal, secret)


def office_unit():
    """The business office's unit: the unit of its staff (the one holding accept, dispatch and call back)."""
    from duban.appeals.selectors import office_unit as find

    return find()


def possible_duplicates(appeal: Appeal, *, limit: int = 5) -> list[Appeal]:
    """Open appeals of the same enterprise and category, the likeliest first (shared two-character runs of the
    descriptions): offered to the business office to merge."""
    candidates = list(Appeal.objects.filter(enterprise_key=appeal.enterprise_key, category=appeal.category,
                                            state__in=(AppealState.SUBMITTED, AppealState.ACCEPTED, AppealState.DISPATCHED,
                                                       AppealState.HANDLING, AppealState.REPLIED))
                      .exclude(pk=appeal.pk).order_by("-id")[:50])
    mine = bigrams(appeal.description)
    scored = sorted(candidates, key=lambda a: (-similarity(mine, bigrams(a.description)), -a.pk))
    return scored[:limit]


def bigrams(text: str) -> set[str]:
    """The two-character runs of the text's Chinese (and words of its Latin), as the ledger's search cuts them."""
    cleaned = re.sub(r"\s+", "", text or "")
    runs = re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", cleaned)
    found: set[str] = set()
    for run in runs:
        if run.isascii():
            found.add(run.lower())
        else:
            found |= {run[i:i + 2] for i in range(max(1, len(run) - 1))}
    return found


def similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
