"""Every change to units, people, roles, charges and the holiday table: checked, written and audited here."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from duban.core import audit
from duban.core.actor import Actor
from duban.core.choices import ADMIN_ROLES, CalendarDayKind, Role
from duban.core.errors import NotAllowed, ServiceError
from duban.core.models import CalendarDay, LeaderCharge, RoleGrant, Unit, User

UNIT_FIELDS = ("name", "short_name", "kind", "category", "parent", "sort_order", "is_active")
PERSON_FIELDS = ("username", "full_name", "unit", "title", "phone", "email", "is_active")


def require_role(actor: Actor, *roles: str, action: str) -> None:
    """Refuse unless the actor holds one of `roles`; system jobs (CLI, demo) may do anything."""
    if actor.user is None:
        return
    if not actor.user.is_active or not actor.roles.intersection(roles):
        labels = _("、").join(str(Role(r).label) for r in roles)  # labels are lazy: join needs str
        raise NotAllowed(_("只有%(roles)s可以%(action)s。") % {"roles": labels, "action": action})


# --- units -------------------------------------------------------------------------------------


@transaction.atomic
def create_unit(actor: Actor, **values) -> Unit:
    """Add a unit to the org tree (system admin)."""
    require_role(actor, Role.SYSADMIN, action=_("新增单位"))
    _check_unit_name(values.get("name", ""))
    unit = Unit(**{k: v for k, v in values.items() if k in UNIT_FIELDS})
    unit.save()
    place_in_tree(unit)
    audit.record(actor, "unit.create", unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def update_unit(actor: Actor, unit: Unit, **values) -> Unit:
    """Change a unit; moving it under another parent moves its whole sub-tree."""
    require_role(actor, Role.SYSADMIN, action=_("修改单位"))
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit)
    if "name" in values and values["name"] != unit.name:
        _check_unit_name(values["name"], exclude=unit.pk)
    new_parent = values.get("parent", unit.parent)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ServiceError(_("不能把“%(unit)s”移到它自己或它的下级单位“%(parent)s”之下，请另选上级单位。") % {"unit": unit.name, "parent": new_parent.name}, field="parent")
    if values.get("is_active") is False and unit.is_active:
        if Unit.objects.subtree(unit).filter(is_active=True).exclude(pk=unit.pk).exists() or unit.people.filter(is_active=True).exists():
            raise ServiceError(_("“%(unit)s”还有在用的下级单位或人员，请先调整它们再停用本单位。") % {"unit": unit.name}, field="is_active")
    for key, value in values.items():
        if key in UNIT_FIELDS:
            setattr(unit, key, value)
    old_path, old_sort_key = unit.path, unit.sort_key
    unit.save()
    place_in_tree(unit)
    if unit.path != old_path:
        # Re-root the sub-tree in one statement: "/1/5/12/" → "/3/5/12/".
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (unit.depth - old_path.count("/") + 2),
        )
    if unit.sort_key != old_sort_key:
        Unit.objects.filter(sort_key__startswith=old_sort_key).exclude(pk=unit.pk).update(
            sort_key=Concat(Value(unit.sort_key), Substr("sort_key", len(old_sort_key) + 1)),
        )
    audit.record(actor, "unit.update", unit, before=before, after=audit.snapshot(unit))
    return unit


def _check_unit_name(name: str, exclude: int | None = None) -> None:
    if not name.strip():
        raise ServiceError(_("请填写单位名称。"), field="name")
    if Unit.objects.filter(name=name).exclude(pk=exclude).exists():
        raise ServiceError(_("已有名为“%(name)s”的单位，请换一个名称或编辑已有单位。") % {"name": name}, field="name")


def place_in_tree(unit: Unit) -> None:
    """Derive a saved unit's path, depth and sort key from its parent (not its descendants')."""
    parent = unit.parent if unit.parent_id else None
    path = f"{parent.path if parent else '/'}{unit.pk}/"
    depth = path.count("/") - 2
    # Siblings by sort order, then by id: "/000001.00000007/000002.00000012/" sorts as the tree reads.
    sort_key = f"{parent.sort_key if parent else '/'}{unit.sort_order:06d}.{unit.pk:08d}/"
    if (unit.path, unit.depth, unit.sort_key) != (path, depth, sort_key):
        Unit.objects.filter(pk=unit.pk).update(path=path, depth=depth, sort_key=sort_key)
        unit.path, unit.depth, unit.sort_key = path, depth, sort_key


# --- people and accounts ----------------------------------------------------------------------


@transaction.atomic
def create_person(actor: Actor, *, password: str | None = None, roles: tuple[str, ...] = (), password_hash: str | None = None, **values) -> User:
    """Open an account for a person (system admin); roles, if any, follow the separation rules.

    `password_hash` (from `make_password`, its password validated by the caller) lets a bulk loader such
    as `duban demo` hash one shared password once instead of running Argon2 for every account.
    """
    require_role(actor, Role.SYSADMIN, action=_("新增人员"))
    if roles:
        # Roles are the security admin's to grant (三员分立): a person admin opens the account without them.
        require_role(actor, Role.SECADMIN, action=_("授予角色"))
    username = values.get("username", "").strip()
    if not username:
        raise ServiceError(_("请填写登录名。"), field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError(_("登录名“%(username)s”已被使用，请换一个。") % {"username": username}, field="username")
    user = User(**{k: v for k, v in values.items() if k in PERSON_FIELDS})
    if password:
        _validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        # An initial password handed over by an admin is known to two people: the owner replaces it first.
        user.must_change_password = actor.user is not None
    elif password_hash:
        user.password = password_hash
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor, "person.create", user, after=audit.snapshot(user))
    for role in roles:
        _grant(actor, user, role)
    return user


@transaction.atomic
def update_person(actor: Actor, person: User, **values) -> User:
    """Change a person's details, unit or active flag (system admin)."""
    require_role(actor, Role.SYSADMIN, action=_("修改人员信息"))
    person = User.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(person)
    if "username" in values and values["username"] != person.username:
        if User.objects.filter(username=values["username"]).exclude(pk=person.pk).exists():
            raise ServiceError(_("登录名“%(username)s”已被使用，请换一个。") % {"username": values["username"]}, field="username")
    if values.get("is_active") is False and actor.user is not None and person.pk == actor.user.pk:
        raise ServiceError(_("不能停用自己正在使用的账号。"), field="is_active")
    for key, value in values.items():
        if key in PERSON_FIELDS:
            setattr(person, key, value)
    person.save()
    audit.record(actor, "person.update", person, before=before, after=audit.snapshot(person))
    return person


@transaction.atomic
def reset_password(actor: Actor, person: User, new_password: str) -> None:
    """Set a temporary password that the person must change at the next sign-in (system admin)."""
    require_role(actor, Role.SYSADMIN, action=_("重置密码"))
    _validate_password(new_password, person)
    person.set_password(new_password)
    person.password_changed_at = timezone.now()
    person.must_change_password = True
    person.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(actor, "person.reset_password", person, message="密码已重置，下次登录须修改；此前的访问令牌随之失效")


@transaction.atomic
def change_own_password(actor: Actor, old_password: str, new_password: str) -> None:
    """A person changes their own password (also how an expired one is renewed)."""
    user = actor.user
    if not user.check_password(old_password):
        raise ServiceError(_("原密码不正确，请重新输入。"), field="old_password")
    if old_password == new_password:
        raise ServiceError(_("新密码不能与原密码相同。"), field="new_password1")
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(actor, "person.change_password", user, message="密码已修改；此前的访问令牌随之失效")


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(_("密码不符合要求：%(problems)s") % {"problems": _("；").join(exc.messages)}, field="password") from None


# --- roles (security admin) ---------------------------------------------------------------------


@transaction.atomic
def grant_role(actor: Actor, person: User, role: str) -> RoleGrant:
    """Give a person a role; the three admin roles are never held together or with a business role."""
    require_role(actor, Role.SECADMIN, action=_("授予角色"))
    # order_by("pk"): the default ordering joins Unit, and PostgreSQL refuses FOR UPDATE on an outer join.
    User.objects.select_for_update().filter(pk=person.pk).order_by("pk").first()  # serialize grants for one person
    return _grant(actor, person, role)


def _grant(actor: Actor, person: User, role: str) -> RoleGrant:
    if role not in Role.values:
        raise ServiceError(_("没有“%(role)s”这个角色。") % {"role": role}, field="role")
    held = set(RoleGrant.objects.filter(user=person).values_list("role", flat=True))
    if role in held:
        raise ServiceError(_("%(person)s已经是%(role)s。") % {"person": person, "role": Role(role).label}, field="role")
    clash = _separation_clash(role, held)
    if clash:
        raise ServiceError(
            _("三员分立：%(person)s已担任%(held)s，不能再授予%(role)s。"
              "系统管理员、安全管理员、审计管理员须由不同账号担任，且不兼任业务角色；请为其另开账号。") % {"person": person, "held": Role(clash).label, "role": Role(role).label},
            field="role",
        )
    grant = RoleGrant.objects.create(user=person, role=role)
    person.__dict__.pop("roles", None)
    audit.record(actor, "role.grant", person, before={"roles": sorted(held)}, after={"roles": sorted(held | {role})})
    return grant


def _separation_clash(role: str, held: set[str]) -> str | None:
    for other in sorted(held):
        if role in ADMIN_ROLES or other in ADMIN_ROLES:
            return other
    return None


@transaction.atomic
def revoke_role(actor: Actor, person: User, role: str) -> None:
    """Take a role away from a person (security admin)."""
    require_role(actor, Role.SECADMIN, action=_("撤销角色"))
    held = set(RoleGrant.objects.filter(user=person).values_list("role", flat=True))
    if role not in held:
        raise ServiceError(_("%(person)s没有%(role)s角色。") % {"person": person, "role": Role(role).label}, field="role")
    if actor.user is not None and person.pk == actor.user.pk and role == Role.SECADMIN:
        raise ServiceError(_("不能撤销自己的安全管理员角色，请由另一位安全管理员操作。"), field="role")
    RoleGrant.objects.filter(user=person, role=role).delete()
    person.__dict__.pop("roles", None)
    audit.record(actor, "role.revoke", person, before={"roles": sorted(held)}, after={"roles": sorted(held - {role})})


# --- leaders' charges (system admin keeps the org data) -----------------------------------------


@transaction.atomic
def add_charge(actor: Actor, leader: User, unit: Unit) -> LeaderCharge:
    """Put a unit in a county leader's charge (分管)."""
    require_role(actor, Role.SYSADMIN, action=_("设置分管关系"))
    if Role.LEADER not in leader.roles and Role.PRINCIPAL not in leader.roles:
        raise ServiceError(_("%(leader)s不是县领导（主要领导或分管领导），请先由安全管理员授予角色。") % {"leader": leader}, field="leader")
    charge, created = LeaderCharge.objects.get_or_create(leader=leader, unit=unit)
    if not created:
        raise ServiceError(_("%(leader)s已分管%(unit)s。") % {"leader": leader, "unit": unit}, field="unit")
    audit.record(actor, "charge.add", charge, after={"leader_id": leader.pk, "unit_id": unit.pk})
    return charge


@transaction.atomic
def remove_charge(actor: Actor, charge: LeaderCharge) -> None:
    """End a leader's charge over a unit."""
    require_role(actor, Role.SYSADMIN, action=_("取消分管关系"))
    audit.record(actor, "charge.remove", charge, before={"leader_id": charge.leader_id, "unit_id": charge.unit_id})
    charge.delete()


# --- holiday table ------------------------------------------------------------------------------


@transaction.atomic
def set_calendar_day(actor: Actor, date, kind: str, name: str = "") -> CalendarDay:
    """Enter or change a holiday or adjusted working day (e.g. next year's State Council schedule)."""
    require_role(actor, Role.SYSADMIN, action=_("维护节假日"))
    if kind not in CalendarDayKind.values:  # anything else would silently count as a holiday
        raise ServiceError(_("请选择类别：放假或调休上班。"), field="kind")
    day = CalendarDay.objects.filter(date=date).first()
    before = audit.snapshot(day) if day else None
    if day is None:
        day = CalendarDay(date=date)
    day.kind, day.name = kind, name
    day.save()
    audit.record(actor, "calendar.set", day, before=before, after=audit.snapshot(day))
    transaction.on_commit(_calendar_changed)
    return day


@transaction.atomic
def delete_calendar_day(actor: Actor, day: CalendarDay) -> None:
    """Remove an entry from the holiday table; the public calendar applies again for that date."""
    require_role(actor, Role.SYSADMIN, action=_("维护节假日"))
    audit.record(actor, "calendar.delete", day, before=audit.snapshot(day))
    day.delete()
    transaction.on_commit(_calendar_changed)


def _calendar_changed() -> None:
    from duban.core import calendar

    calendar.invalidate()


# --- account lockout (system admin) -------------------------------------------------------------


def locked_out_usernames():
    """Login names django-axes refuses now: failures within the cool-off reach AXES_FAILURE_LIMIT.

    A lazy values query, so a list page can use it as one subquery (`username__in=`) or run it once
    for the usernames of a page; either way the count of queries does not grow with the rows.
    """
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum

    threshold = timezone.now() - get_cool_off()
    return (
        AccessAttempt.objects.filter(attempt_time__gte=threshold, username__isnull=False)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )


@transaction.atomic
def unlock_account(actor: Actor, person: User) -> int:
    """Lift django-axes' lock on an account and clear its failed sign-ins (system admin); returns records cleared."""
    from axes.models import AccessAttempt
    from axes.utils import reset
    from django.db.models import Sum

    require_role(actor, Role.SYSADMIN, action=_("解锁账号"))
    failures = AccessAttempt.objects.filter(username=person.username).aggregate(n=Sum("failures_since_start"))["n"] or 0
    if not failures:
        raise ServiceError(_("%(person)s的账号没有被锁定，也没有输错密码的记录，无需解锁。") % {"person": person})
    locked = locked_out_usernames().filter(username=person.username).exists()
    cleared = reset(username=person.username)
    audit.record(
        actor, "person.unlock", person,
        before={"locked": locked, "failures": failures}, after={"locked": False, "failures": 0},
        message=f"已解锁，清除 {failures} 次输错密码记录",
    )
    return cleared


# --- audit trail (audit admin) ------------------------------------------------------------------


def verify_audit_chain(actor: Actor, saved_head: str = "") -> audit.VerifyResult:
    """Verify the audit chain, against a head saved outside the system if given, and record the check."""
    import re

    from duban.core.choices import AuditOutcome

    require_role(actor, Role.AUDITADMIN, action=_("校验审计链"))
    saved_head = saved_head.strip()
    if saved_head and not re.fullmatch(r"#?(\d+:)?[0-9a-fA-F]{64}", saved_head):
        raise ServiceError(_("保存的链头格式不对：应为“序号:哈希值”（如 1234:3fa2…，哈希值为 64 位十六进制），或只填哈希值。"), field="saved_head")
    # The walk reads the whole chain; only the entry that records it takes the head lock.
    result = audit.verify(saved_head or None)
    audit.record(
        actor, "audit.verify", None,
        object_type="core.AuditEntry", object_repr="审计链",
        outcome=AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE,
        after={
            "ok": result.ok, "checked": result.checked, "head": audit.format_head(result.head_seq, result.head_hash),
            "saved_head": saved_head, "bad_seq": result.bad_seq,
        },
        message=str(result),
    )
    return result
