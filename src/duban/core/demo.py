"""The demo county of `duban demo`: leaders, ~50 units, a login for every role and a year of key work.

The county is written by `duban.core.services` as the system job "duban demo", so the audit trail shows
how the county came to be, exactly as if the system admin had typed it in. Names are drawn from a seeded
random generator (the same county every time); phone numbers are the fictional 1380000xxxx series.
The key-work ledger (`ledger.demo`) then writes months of history through the ledger's services, acting
as the county's people, under `DemoClock`.

The county is nameless ("县…", as the speech writes "xx"); townships and villages carry generic names that
exist in many counties, so no combination points at a real place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import random
import time
import unicodedata
from dataclasses import dataclass, field

import django.utils.timezone as django_timezone
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from duban.core import audit, services
from duban.core.actor import Actor
from duban.core.choices import CalendarDayKind, Role, UnitCategory, UnitKind
from duban.core.errors import ServiceError
from duban.core.models import LeaderCharge, Unit, User

ACTOR_NAME = "duban demo"
DEFAULT_PASSWORD = "Duban@2026"
URL = "http://127.0.0.1:8000/"

# --- the county -----------------------------------------------------------------------------------

LEADERSHIP = ("县委县政府", "县领导")

# (code, full name, short name, title of the head 一把手); the code prefixes the unit's logins.
DEPARTMENTS = [
    ("fagai", "县发展和改革局", "发改局", "局长"),
    ("caizheng", "县财政局", "财政局", "局长"),
    ("ziran", "县自然资源局", "自然资源局", "局长"),
    ("shuiwu", "县税务局", "税务局", "局长"),
    ("tongji", "县统计局", "统计局", "局长"),
    ("shenpi", "县行政审批局", "行政审批局", "局长"),
    ("gongxin", "县工业和信息化局", "工信局", "局长"),
    ("shangwu", "县商务局", "商务局", "局长"),
    ("shijian", "县市场监督管理局", "市场监管局", "局长"),
    ("gongdian", "县供电公司", "供电公司", "总经理"),
    ("zhujian", "县住房和城乡建设局", "住建局", "局长"),
    ("jiaotong", "县交通运输局", "交通运输局", "局长"),
    ("chengshi", "县城市管理局", "城管局", "局长"),
    ("huanjing", "县生态环境分局", "生态环境分局", "分局长"),
    ("nongye", "县农业农村局", "农业农村局", "局长"),
    ("shuili", "县水利局", "水利局", "局长"),
    ("linye", "县林业局", "林业局", "局长"),
    ("gongan", "县公安局", "公安局", "局长"),
    ("sifa", "县司法局", "司法局", "局长"),
    ("yingji", "县应急管理局", "应急管理局", "局长"),
    ("jiaoyu", "县教育局", "教育局", "局长"),
    ("weijian", "县卫生健康局", "卫健局", "局长"),
    ("wenlv", "县文化和旅游局", "文旅局", "局长"),
    ("renshe", "县人力资源和社会保障局", "人社局", "局长"),
    ("minzheng", "县民政局", "民政局", "局长"),
]

# (code, name); 乡 or 镇 as a county would have them.
TOWNSHIPS = [
    ("chengguan", "城关镇"),
    ("dongguan", "东关镇"),
    ("xihe", "西河镇"),
    ("nanling", "南岭镇"),
    ("beipo", "北坡乡"),
    ("shiqiao", "石桥镇"),
    ("liulin", "柳林镇"),
    ("qingshan", "青山乡"),
    ("baishui", "白水镇"),
    ("yangzhuang", "杨庄乡"),
    ("xinji", "新集镇"),
    ("gaoling", "高岭乡"),
]

# Sections 股室 under a department and villages/communities under a township: (login suffix, short name).
SECTIONS = {
    "fagai": [("bangong", "办公室"), ("xiangmu", "重点项目股")],
    "ziran": [("yongdi", "用地审批股"), ("guihua", "国土空间规划股")],
    "shenpi": [("touzi", "投资项目审批股")],
}
VILLAGES = {
    "chengguan": [("dongjie", "东街社区"), ("xijie", "西街社区"), ("nanguan", "南关村")],
    "shiqiao": [("shiqiao", "石桥村"), ("hewan", "河湾村"), ("lijia", "李家庄村")],
}

# (code, full name, short name, [(login, title, role)]); each office's staff.
OFFICES = [
    ("ducha", "县委县政府督查室", "督查室", [
        ("ducha1", "主任", Role.SUPERVISION), ("ducha2", "副主任", Role.SUPERVISION), ("ducha3", "科员", Role.SUPERVISION),
    ]),
    ("yingshang", "县优化营商环境办公室", "营商办", [
        ("yingshang1", "主任", Role.BUSINESS), ("yingshang2", "科员", Role.BUSINESS),
    ]),
    ("anwei", "县安全生产委员会办公室", "安委办", [
        ("anwei1", "常务副主任", Role.SAFETY), ("anwei2", "科员", Role.SAFETY),
    ]),
    # 三员分立: three separate accounts, each with exactly one admin role.
    ("dsj", "县大数据中心", "大数据中心", [
        ("sysadmin", "系统管理员", Role.SYSADMIN), ("secadmin", "安全管理员", Role.SECADMIN),
        ("auditadmin", "审计管理员", Role.AUDITADMIN),
    ]),
]

PRINCIPALS = [("shuji", "县委书记"), ("xianzhang", "县委副书记、县长")]

# (login, title, units in charge by code): every department and township in exactly one deputy's charge.
DEPUTIES = [
    ("changwu", "县委常委、常务副县长",
     ["fagai", "caizheng", "ziran", "shuiwu", "tongji", "shenpi", "yingshang", "chengguan", "dongguan"]),
    ("fxz_gongye", "县委常委、副县长", ["gongxin", "shangwu", "shijian", "gongdian", "xihe", "nanling"]),
    ("fxz_chengjian", "副县长", ["zhujian", "jiaotong", "chengshi", "huanjing", "beipo", "shiqiao"]),
    ("fxz_nongye", "副县长", ["nongye", "shuili", "linye", "liulin", "qingshan"]),
    ("fxz_zhengfa", "副县长", ["gongan", "sifa", "yingji", "anwei", "baishui", "yangzhuang"]),
    ("fxz_wenjiao", "副县长", ["jiaoyu", "weijian", "wenlv", "renshe", "minzheng", "xinji", "gaoling"]),
]

DEPARTMENT_LIAISON_TITLES = ["办公室主任", "办公室副主任", "综合股股长", "科员"]

# The logins printed at the end: at least one for every role.
FEATURED = [
    "shuji", "xianzhang", "changwu", "fxz_gongye", "fxz_chengjian", "fxz_nongye", "fxz_zhengfa", "fxz_wenjiao",
    "ducha1", "fagai_head", "chengguan_head", "fagai_lly", "chengguan_lly", "fagai_xiangmu", "chengguan_dongjie",
    "yingshang1", "anwei1", "sysadmin", "secadmin", "auditadmin",
]

# An example of the admin's holiday table: chinese-calendar ships no 2027 data yet.
CALENDAR_EXAMPLE = ("2027-01-01", CalendarDayKind.HOLIDAY, "元旦")

# --- names ----------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万严武戴孔汤"
)
GIVEN_FIRST = "建志国海晓文红立卫春振宏丽淑玉永俊雅思嘉欣佳明秀桂金光慧新少长兴瑞"
GIVEN_SECOND = "华强平军燕东博梅新生伟珍兰峰杰琴涵宁怡敏辉林芳霞成波云婷磊娟刚勇鹏飞洁"
GIVEN_SINGLE = "磊敏静涛斌婷萍鑫琳洁浩宇昊颖倩蕾楠彬凯"


class NameBook:
    """Chinese names from a seeded generator: the same list every run, no name twice."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def draw(self) -> str:
        while True:
            surname = self.rng.choice(SURNAMES)
            if self.rng.random() < 0.25:
                given = self.rng.choice(GIVEN_SINGLE)
            else:
                given = self.rng.choice(GIVEN_FIRST) + self.rng.choice(GIVEN_SECOND)
            name = surname + given
            if name not in self.used:
                self.used.add(name)
                return name


# --- loading --------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    units: int = 0
    people: int = 0
    charges: int = 0
    seconds: float = 0.0
    per_role: dict[str, int] = field(default_factory=dict)
    stories: list = field(default_factory=list)  # what each app's story made (each has describe() -> str)


# --- the apps' stories -------------------------------------------------------------------------------
# core knows no domain app. An app that brings demo data registers a story in its AppConfig.ready():
#
#     demo.register_story(LedgerDemo)     # LedgerDemo(now) → .county_opened, .begin(county, timeline), .settle()
#
# A story is made for the moment of loading; `county_opened` is when it needs the county set up (its history
# starts after that). `begin` puts the story's steps on the shared `Timeline` (a step may put further ones on
# it), and the loader runs every story's steps in one time order under the demo clock, through the real
# services — so that the stories' histories interleave as a county's days do, on a clock that only moves
# forward. `settle` returns what the story made (anything with `describe()`).


class Timeline:
    """Every story's steps, run in time order (ties in the order they were put on it) under the demo clock."""

    def __init__(self):
        self._heap: list = []
        self._count = 0

    def add(self, at: dt.datetime, run, label: str = "") -> None:
        heapq.heappush(self._heap, (at, self._count, run, label))
        self._count += 1

    def run(self, clock: DemoClock) -> None:
        while self._heap:
            at, _order, run, label = heapq.heappop(self._heap)
            clock.go(at)
            try:
                run()
            except Exception as exc:  # a demo that cannot tell its story is a bug in its plan: say where
                exc.add_note(f"duban demo: step “{label}” at {at:%Y-%m-%d %H:%M}")
                raise


_stories: list = []


def register_story(factory) -> None:
    """Add a story (once: AppConfig.ready() may run more than once in tests)."""
    if factory not in _stories:
        _stories.append(factory)


class DemoClock:
    """Demo-only time travel: what `django.utils.timezone.now()` answers while `duban demo` writes its history.

    The demo's months of history are written through the real services, so that timelines and the audit
    trail are the ones the pages would write. The services, the model defaults (`created_at`, `MatterEvent.at`
    …) and the audit chain all read the time through `django.utils.timezone.now()`, which calls
    `datetime.now` of that module: `running()` swaps that one name for a subclass answering the clock's
    moment, and puts it back afterwards. The clock only moves forward and never beyond the real time, so
    the audit trail comes out in time order. Nothing but `duban demo` (one thread of a CLI process) uses
    this; the tests travel in time with time-machine.
    """

    def __init__(self, start: dt.datetime):
        self.moment = start

    def go(self, moment: dt.datetime) -> None:
        if moment < self.moment:
            raise ValueError(f"the demo clock only moves forward ({self.moment} → {moment})")
        if moment > dt.datetime.now(dt.UTC):
            raise ValueError(f"the demo clock cannot pass the real time ({moment})")
        self.moment = moment

    @contextlib.contextmanager
    def running(self):
        clock = self
        real = django_timezone.datetime

        class _DemoDatetime(real):
            @classmethod
            def now(cls, tz=None):
                return clock.moment.astimezone(tz) if tz is not None else clock.moment.astimezone().replace(tzinfo=None)

        django_timezone.datetime = _DemoDatetime
        try:
            if django_timezone.now() != self.moment:  # Django changed how now() reads the time: fail, don't lie
                raise RuntimeError("DemoClock cannot set django.utils.timezone.now() on this Django version")
            yield self
        finally:
            django_timezone.datetime = real


def existing_counts() -> tuple[int, int]:
    """How many units and people the database already holds (the demo loads only into an empty one)."""
    return Unit.objects.count(), User.objects.count()


def is_empty() -> bool:
    return existing_counts() == (0, 0)


def validate_password(password: str) -> None:
    """Refuse a demo password the sign-in rules would refuse (raises ServiceError with the reasons)."""
    try:
        password_validation.validate_password(password)
    except ValidationError as exc:
        raise ServiceError("演示密码不符合密码规则：" + "；".join(exc.messages), field="password") from None


def load(password: str = DEFAULT_PASSWORD, *, stories: bool = True) -> LoadResult:
    """Build the demo county (and each app's story: the key-work campaign …) in one transaction; refuses if any
    unit or person exists."""
    started = time.monotonic()
    validate_password(password)
    password_hash = make_password(password)
    actor = Actor.system(ACTOR_NAME)
    results = []
    with transaction.atomic():
        units, people = existing_counts()
        if units or people:
            raise ServiceError(refusal_message(units, people))
        now = timezone.now()
        told = [factory(now) for factory in _stories] if stories else []
        county = _County(actor, password_hash)
        clock = DemoClock(min((story.county_opened for story in told), default=now))
        with clock.running():
            county.build()
            timeline = Timeline()
            for story in told:
                story.begin(county, timeline)
            timeline.run(clock)
        results = [story.settle() for story in told]
        if told:
            _restart_password_ages(actor, now)
    result = LoadResult(
        units=Unit.objects.count(),
        people=User.objects.count(),
        charges=LeaderCharge.objects.count(),
        seconds=time.monotonic() - started,
    )
    for role in Role:
        result.per_role[role.value] = User.objects.filter(role_grants__role=role, is_active=True).count()
    result.stories = results
    return result


def _restart_password_ages(actor: Actor, now: dt.datetime) -> None:
    """The accounts were opened months ago in the demo's history; their passwords' age counts from today.

    Without this every demo login would be sent to change its password (the 90-day expiry) on first sign-in.
    """
    count = User.objects.update(password_changed_at=now)
    audit.record(actor, "person.password_age_restart", object_type="core.User", object_repr=f"全部 {count} 个演示账号",
                 after={"password_changed_at": now, "people": count},
                 message="演示县的历史写在过去的日期上，演示账号的密码有效期自装入之时起算")


def refusal_message(units: int, people: int) -> str:
    return (
        f"数据库里已有 {units} 个单位、{people} 个人员，演示县只能装入空数据库，本次未做任何改动。"
        "查看演示账号请运行 duban demo --if-empty；要重新装入演示县，请换一个空的数据目录（DUBAN_DATA_DIR）再运行。"
    )


class _County:
    """One run of the loader: the actor, the shared password hash, names and phone numbers handed out in order."""

    def __init__(self, actor: Actor, password_hash: str):
        self.actor = actor
        self.password_hash = password_hash
        self.names = NameBook()
        self.phones = 0
        self.units: dict[str, Unit] = {}
        self.people: dict[str, User] = {}
        self.rng = random.Random(7)

    def build(self) -> None:
        leadership = self.unit("leadership", LEADERSHIP[0], LEADERSHIP[1], UnitKind.LEADERSHIP, sort_order=1)
        for login, title in PRINCIPALS:
            self.person(login, leadership, title, Role.PRINCIPAL)
        for login, title, _charge in DEPUTIES:
            self.person(login, leadership, title, Role.LEADER)

        for order, (code, name, short, staff) in enumerate(OFFICES, start=10):
            office = self.unit(code, name, short, UnitKind.OFFICE, sort_order=order)
            for login, title, role in staff:
                self.person(login, office, title, role)

        for order, (code, name, short, head_title) in enumerate(DEPARTMENTS, start=100):
            dept = self.unit(code, name, short, UnitKind.DEPARTMENT, UnitCategory.DEPARTMENT, sort_order=order)
            self.person(f"{code}_head", dept, head_title, Role.UNIT_HEAD)
            self.person(f"{code}_lly", dept, self.rng.choice(DEPARTMENT_LIAISON_TITLES), Role.LIAISON)
            for sub_order, (suffix, section) in enumerate(SECTIONS.get(code, []), start=1):
                unit = self.unit(f"{code}_{suffix}", f"{name}{section}", section, UnitKind.SECTION, parent=dept, sort_order=sub_order)
                self.person(f"{code}_{suffix}", unit, "股长", Role.LIAISON)

        for order, (code, name) in enumerate(TOWNSHIPS, start=200):
            township = self.unit(code, name, "", UnitKind.TOWNSHIP, UnitCategory.TOWNSHIP, sort_order=order)
            self.person(f"{code}_head", township, "党委书记", Role.UNIT_HEAD)
            self.person(f"{code}_lly", township, "党政办主任", Role.LIAISON)
            for sub_order, (suffix, village) in enumerate(VILLAGES.get(code, []), start=1):
                unit = self.unit(f"{code}_{suffix}", f"{name}{village}", village, UnitKind.VILLAGE, parent=township, sort_order=sub_order)
                title = "社区党委书记" if village.endswith("社区") else "村党支部书记"
                self.person(f"{code}_{suffix}", unit, title, Role.LIAISON)

        for login, _title, codes in DEPUTIES:
            for code in codes:
                services.add_charge(self.actor, self.people[login], self.units[code])

        day, kind, name = CALENDAR_EXAMPLE
        services.set_calendar_day(self.actor, day, kind, name)

    def unit(self, code, name, short_name, kind, category=UnitCategory.UNRANKED, parent=None, sort_order=0) -> Unit:
        unit = services.create_unit(
            self.actor, name=name, short_name=short_name, kind=kind, category=category, parent=parent, sort_order=sort_order,
        )
        self.units[code] = unit
        return unit

    def person(self, login, unit, title, role) -> User:
        self.phones += 1
        user = services.create_person(
            self.actor, username=login, full_name=self.names.draw(), unit=unit, title=title,
            phone=f"1380000{self.phones:04d}", password_hash=self.password_hash, roles=(role,),
        )
        self.people[login] = user
        return user


# --- the logins table -----------------------------------------------------------------------------


def featured_logins() -> list[tuple[str, str, str, str]]:
    """(roles, login, name, unit) of the demo's featured accounts that exist and are active, in FEATURED order."""
    users = {u.username: u for u in User.objects.filter(username__in=FEATURED, is_active=True).select_related("unit").prefetch_related("role_grants")}
    rows = []
    for login in FEATURED:
        user = users.get(login)
        if user is None:
            continue
        rows.append(("、".join(user.role_labels) or "（无角色）", login, user.full_name, user.unit.name if user.unit else ""))
    return rows


def password_still(password: str) -> bool:
    """Whether the demo accounts still take `password` (checked against one of them, without re-hashing)."""
    user = User.objects.filter(username__in=FEATURED).order_by("pk").first()
    return user is not None and check_password(password, user.password)


def logins_table(password: str | None) -> str:
    """The text printed at the end of `duban demo`: logins per role, the password and the address."""
    rows = featured_logins()
    if not rows:
        return "数据库里没有演示县的账号（已有的数据不是 duban demo 建的）。"
    header = ("角色", "登录名", "姓名", "单位")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.append("")
    lines.append("每个县直部门、乡镇都有 <代码>_head（一把手）和 <代码>_lly（联络员），如 caizheng_head、shiqiao_lly；")
    lines.append("全部人员见系统里的“人员”通讯录。演示手机号 1380000xxxx 均为虚构。")
    if password:
        lines.append(f"所有演示账号的密码：{password}")
    else:
        lines.append("所有演示账号的密码：装入演示县时设定的密码（不是默认的 " + DEFAULT_PASSWORD + "）")
    lines.append(f"打开 {URL} 登录（先运行 duban serve 或 make run）。")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
