"""The demo's hazard ledger: five months of hazards found by townships' grid workers and the departments'
inspectors, in every state — put on the clock, rectified with photos, verified or sent back, fixed on the
spot, a few major ones under listed supervision, and hazards that came back (回头看) — and the fire season's duty
roster of the townships with forest (lookouts and checkpoints critical, a few grid cells not): shifts for the
last days and today, most confirmed, one confirmed late (补确认), one critical lapse still open — written through
the services as the people of the county, on the demo's shared timeline (core.demo.Timeline)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from duban.core import calendar
from duban.core.actor import Actor
from duban.safety import services
from duban.safety.choices import HazardLevel, HazardState, LapseState, PostKind, ShiftState
from duban.safety.models import ChecklistItem, DutyLapse, DutyPost, Hazard, Inspection, Outcome, Sector, Shift
from duban.safety.services import duty

REQUEST_ID = "duban-demo"

# (sector, township, reporter login, place, where, hazard, rectifying unit code, measures, level, fate)
# fate: open (found, not yet assigned) · fixing · late (past its deadline) · asked (awaiting verification) ·
# returned (sent back once, fixing again) · closed · spot (fixed on the spot) · again (closed, then back).
PLANS = [
    ("gas", "chengguan", "chengguan_dongjie", "城关镇东街社区 幸福路18号", "老王家常菜馆", "液化气钢瓶放置在灶台下方，连接软管老化开裂", "chengguan", "更换金属波纹管，钢瓶移至独立气瓶间，加装燃气报警器", "general", "closed"),
    ("gas", "chengguan", "chengguan_xijie", "城关镇西街社区 建设巷6号", "好再来早餐店", "未安装燃气泄漏报警装置", "chengguan", "安装可燃气体报警器并与切断阀联动", "general", "spot"),
    ("gas", "chengguan", "shijian_lly", "城关镇人民路加气站", "县城燃气有限公司人民路加气站", "压缩机房防爆电气失效，可燃气体检测仪未校验", "shijian", "更换防爆电气，委托有资质机构校验检测仪", "major", "fixing"),
    ("construction", "chengguan", "zhujian_lly", "城关镇滨河新区3号地块", "滨河花园二期工地", "塔吊基础积水，标准节螺栓松动", "zhujian", "排除积水，紧固螺栓，停用塔吊至检测合格", "general", "asked"),
    ("construction", "shiqiao", "zhujian_lly", "石桥镇中心学校教学楼工地", "石桥镇中心学校改扩建项目", "脚手架连墙件缺失，临边防护不到位", "zhujian", "补设连墙件，加装临边防护栏杆及安全网", "general", "returned"),
    ("construction", "chengguan", "zhujian_lly", "城关镇北环路安置小区工地", "北环路安置小区项目", "深基坑未按方案放坡，监测数据缺失", "zhujian", "按专项方案放坡支护，委托第三方监测", "major", "asked"),
    ("transport", "xihe", "jiaotong_lly", "县道X201线K12+300处", "", "急弯路段波形护栏缺失，无警示标志", "jiaotong", "补设波形护栏和急弯警示标志", "general", "closed"),
    ("transport", "nanling", "jiaotong_lly", "南岭镇客运站", "南岭镇客运站", "安检仪故障，危险品查堵台账不全", "jiaotong", "维修安检仪，完善三品查堵台账", "general", "late"),
    ("transport", "beipo", "jiaotong_lly", "北坡乡S305线K45漫水桥", "", "汛期漫水桥无限高限宽及水位警示", "jiaotong", "设置水位标尺、警示牌和封闭设施", "general", "fixing"),
    ("food_drug", "chengguan", "shijian_lly", "城关镇实验小学食堂", "县实验小学", "留样冰箱温度不达标，留样记录不全", "shijian", "更换留样冰箱，建立留样登记制度", "general", "closed"),
    ("food_drug", "shiqiao", "shiqiao_lijia", "石桥镇李家庄村农家乐", "李家庄农家乐", "从业人员健康证过期", "shiqiao", "督促办理健康证，未取得前暂停上岗", "general", "spot"),
    ("industry_trade", "liulin", "yingji_lly", "柳林镇工业园区 宏泰铸造厂", "宏泰铸造有限公司", "熔炼炉冷却水系统无备用电源", "yingji", "加装应急电源，完善停电应急处置预案", "major", "late"),
    ("industry_trade", "liulin", "yingji_lly", "柳林镇工业园区 鑫达木业", "鑫达木业有限公司", "除尘系统未设置泄爆装置，粉尘清扫记录缺失", "yingji", "加装泄爆片和隔爆阀，落实粉尘清扫制度", "general", "returned"),
    ("industry_trade", "xinji", "yingji_lly", "新集镇 永兴建材厂", "永兴建材有限公司", "有限空间作业未审批，无检测设备", "yingji", "建立有限空间作业审批，配备气体检测仪", "general", "closed"),
    ("three_in_one", "chengguan", "chengguan_nanguan", "城关镇南关村 南关路33号", "南关便民超市", "经营场所与住宿混设，未设独立疏散通道", "chengguan", "拆除住人隔间，另设独立疏散通道", "general", "again"),
    ("three_in_one", "shiqiao", "shiqiao_hewan", "石桥镇河湾村 河湾街12号", "河湾家具加工坊", "电动车在楼道内充电，电线私拉乱接", "shiqiao", "设置集中充电点，规范线路敷设", "general", "closed"),
    ("three_in_one", "dongguan", "dongguan_lly", "东关镇 东关街58号", "东关服装加工点", "生产区与员工宿舍未防火分隔", "dongguan", "设置防火墙和防火门，宿舍迁出", "general", "open"),
    ("forest_fire", "qingshan", "qingshan_lly", "青山乡 后山林区入山口", "", "入山检查站无人值守，防火宣传牌缺失", "qingshan", "落实检查站值守人员，补设宣传牌", "general", "closed"),
    ("forest_fire", "baishui", "linye_lly", "白水镇 白水林场7林班", "县白水林场", "林区坟头烧纸痕迹，防火隔离带杂草未清", "linye", "清理隔离带，加密巡护频次", "general", "fixing"),
    ("forest_fire", "gaoling", "gaoling_lly", "高岭乡 松树岭", "", "林区违规搭建简易房并使用明火", "gaoling", "拆除简易房，收缴火源", "general", "open"),
    ("illegal_mining", "yangzhuang", "ziran_lly", "杨庄乡 河道滩地", "", "河道内发现盗采砂石痕迹", "ziran", "设置阻车设施，联合巡查并立案调查", "general", "asked"),
    ("illegal_mining", "nanling", "ziran_lly", "南岭镇 石灰岩矿区东侧", "", "越界开采形成高陡边坡", "ziran", "责令停止开采，削坡减载并设置警示", "major", "fixing"),
    ("other", "chengguan", "chengguan_lly", "城关镇 老城区菜市场", "老城菜市场", "消防通道被摊位占用，灭火器过期", "chengguan", "清理占道摊位，更换灭火器", "general", "closed"),
    ("other", "xihe", "xihe_lly", "西河镇 西河水库大坝", "", "坝顶护栏破损，无防溺水警示", "shuili", "修复护栏，设置防溺水警示牌和救生设施", "general", "late"),
]
# The fire season's posts (township, name, kind, critical, the people taking turns, hours): the townships with
# forest keep lookouts and checkpoints (critical); two townships' grid cells are on the roster too (not critical).
DUTY_POSTS = [
    ("qingshan", "后山瞭望哨", PostKind.LOOKOUT, True, ["qingshan_lly", "linye_lly"], (8, 18)),
    ("qingshan", "青山入山检查站", PostKind.CHECKPOINT, True, ["qingshan_head", "qingshan_lly"], (7, 19)),
    ("baishui", "白水林场7林班瞭望台", PostKind.LOOKOUT, True, ["linye_lly", "baishui_lly"], (8, 18)),
    ("baishui", "白水入山检查站", PostKind.CHECKPOINT, True, ["baishui_lly", "baishui_head"], (7, 19)),
    ("gaoling", "松树岭瞭望哨", PostKind.LOOKOUT, True, ["gaoling_lly", "gaoling_head"], (8, 18)),
    ("chengguan", "东街社区网格", PostKind.GRID, False, ["chengguan_dongjie"], (8, 18)),
    ("chengguan", "西街社区网格", PostKind.GRID, False, ["chengguan_xijie"], (8, 18)),
    ("shiqiao", "河湾村网格", PostKind.GRID, False, ["shiqiao_hewan"], (8, 18)),
]
DUTY_DAYS = 4  # days of roster before today
# (post name, days before today): nobody confirmed — a critical lapse left open, and a grid cell (nothing happens);
# confirmed an hour late — the lapse closed as 补确认.
DUTY_UNCONFIRMED = {("松树岭瞭望哨", 1), ("西街社区网格", 1)}
DUTY_LATE = {("白水入山检查站", 2)}
PHOTO_COLORS = {"before": (176, 58, 46), "after": (39, 122, 82)}

# 排查检查表 the safety office keeps, and inspections against them:
# (sector, township, inspector login, place, unit, {line index: what was wrong}, working days before yesterday)
CHECKLISTS = {
    "gas": ["液化气钢瓶存放在独立气瓶间，不在灶台下", "连接软管为金属波纹管，无老化、无破损", "安装可燃气体报警器并能联动切断",
            "配备灭火器材且在有效期内"],
    "three_in_one": ["生产经营区与住宿区防火分隔", "设有独立的疏散通道和安全出口", "电动车不在楼道、室内充电", "电气线路穿管敷设，无私拉乱接"],
    "forest_fire": ["入山检查站有人值守、登记", "防火宣传牌、警示标志齐全", "防火隔离带清理到位", "扑火工具和物资储备到位"],
    "construction": ["塔吊、升降机检测合格并有记录", "脚手架连墙件、临边防护到位", "深基坑按专项方案支护并监测", "特种作业人员持证上岗"],
}
INSPECTIONS = [
    ("gas", "chengguan", "chengguan_dongjie", "城关镇东街社区 幸福路22号", "鸿运饭店", {}, 30),
    ("forest_fire", "qingshan", "qingshan_lly", "青山乡 前山林区入山口", "", {}, 14),
    ("three_in_one", "shiqiao", "shiqiao_hewan", "石桥镇河湾村 河湾街20号", "河湾小百货", {2: "楼道内停放电动车并充电"}, 12),
    ("gas", "chengguan", "chengguan_dongjie", "城关镇东街社区 幸福路22号", "鸿运饭店", {3: "灭火器压力不足，已过有效期"}, 5),
    ("construction", "chengguan", "zhujian_lly", "城关镇滨河新区5号地块", "滨河花园三期工地", {3: "塔吊司机操作证过期"}, 3),
]


@dataclass
class SafetyResult:
    hazards: int = 0
    major: int = 0
    on_the_spot: int = 0
    recurrences: int = 0
    per_state: dict[str, int] = field(default_factory=dict)
    inspections: int = 0
    posts: int = 0
    critical_posts: int = 0
    shifts: int = 0
    confirmed: int = 0
    lapses_open: int = 0
    lapses_late: int = 0

    def describe(self) -> str:
        states = "，".join(f"{HazardState(s).label} {self.per_state.get(s, 0)}" for s in HazardState)
        return (f"隐患排查整改台账：{self.hazards} 条隐患（重大隐患 {self.major} 条，当场整改 {self.on_the_spot} 条，"
                f"销号后复发 {self.recurrences} 条），排查记录 {self.inspections} 次。\n  按状态：{states}\n"
                f"值班值守：{self.posts} 个值守点（重点 {self.critical_posts} 个），{self.shifts} 个班次（已确认到岗 {self.confirmed} 个），"
                f"值守未确认 {self.lapses_open} 项待乡镇处理，补确认 {self.lapses_late} 项。")


def _photo(label: str, stage: str, rng: random.Random) -> SimpleUploadedFile:
    """A small picture standing in for a phone photo: a coloured field with a few shapes."""
    image = Image.new("RGB", (320, 240), PHOTO_COLORS[stage])
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randrange(20, 260), rng.randrange(20, 180)
        draw.rectangle([x, y, x + rng.randrange(20, 60), y + rng.randrange(20, 50)], outline=(255, 255, 255), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{label}-{'整改前' if stage == 'before' else '整改后'}.jpg", out.getvalue(), content_type="image/jpeg")


class SafetyDemo:
    """One load of the hazard ledger relative to `now`."""

    def __init__(self, now: dt.datetime, seed: int = 7):
        self.now = now
        self.today = timezone.localdate(now)
        self.first = calendar.next_workday(self.today - dt.timedelta(days=150))
        self.county_opened = self.at(self.first - dt.timedelta(days=7), 9)
        self.seed = seed
        self.rng = random.Random(seed)

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone())

    def actor(self, login: str) -> Actor:
        return Actor(user=self.county.people[login], request_id=REQUEST_ID)

    def begin(self, county, timeline) -> None:
        self.county = county
        Sector.ensure_defaults()
        last = calendar.add_workdays(self.today, -1)
        span = max(1, (last - self.first).days - 40)
        for index, plan in enumerate(PLANS):
            found = calendar.next_workday(self.first + dt.timedelta(days=index * span // len(PLANS)))
            if plan[-1] in {"open"}:  # found in the last days: not yet on the clock
                found = calendar.add_workdays(last, -self.rng.randrange(0, 2))
            if plan[-1] in {"late"}:
                found = min(found, calendar.add_workdays(last, -25))
            self._schedule(timeline, plan, found, last)
        self._inspections(timeline, last)
        self._roster(timeline)

    def _inspections(self, timeline, last: dt.date) -> None:
        """The office's checklists on the first day, then inspections against them; a failed line becomes a hazard."""
        rng = random.Random(self.seed + 1)  # apart from the hazards' draws, so that those stay as they were

        def checklists():
            for code, lines in CHECKLISTS.items():
                sector = Sector.objects.get(code=code)
                for text in lines:
                    services.add_checklist_item(self.actor("anwei1"), sector=sector, text=text)

        timeline.add(self.at(self.first, 8.5), checklists, "排查检查表")
        for sector_code, town, login, place, where, failed, back in INSPECTIONS:
            def inspect(sector_code=sector_code, town=town, login=login, place=place, where=where, failed=failed):
                items = list(ChecklistItem.objects.filter(sector__code=sector_code, active=True).order_by("sort", "id"))
                answers = [services.Answer(item, Outcome.FAIL, note=failed[i], photos=(_photo(failed[i][:8], "before", rng),))
                           if i in failed else services.Answer(item, Outcome.PASS) for i, item in enumerate(items)]
                services.record_inspection(self.actor(login), sector=items[0].sector, place=place, place_unit=where,
                                           township=self.county.units[town], answers=answers)

            timeline.add(self.at(calendar.add_workdays(last, -back), 14), inspect, f"{place} 排查")

    def _roster(self, timeline) -> None:
        """The fire-season roster: posts set up by the townships, a roster of the last days and today, the people on
        duty confirming a little before their shift, the lapse job every half hour past the shifts' starts."""
        first = self.today - dt.timedelta(days=DUTY_DAYS)
        setup = self.at(first - dt.timedelta(days=6), 9.5)
        rng = random.Random(11)  # the roster's own draws: the hazards' plan stays as it was

        def set_up(town, name, kind, critical, people, hours):
            def run():
                keeper = self.actor(f"{town}_head" if critical else f"{town}_lly")
                post = duty.save_post(keeper, name=name, township=self.county.units[town], kind=kind, critical=critical,
                                      note="防火期重点值守" if critical else "")
                duty.schedule_shifts(self.actor(f"{town}_lly"), post, first=first, last=self.today,
                                     people=[self.county.people[login] for login in people],
                                     start_time=dt.time(hours[0]), end_time=dt.time(hours[1]))
            return run

        for n, plan in enumerate(DUTY_POSTS):
            timeline.add(setup + dt.timedelta(minutes=n), set_up(*plan), f"值守点 {plan[1]}")
        for back in range(DUTY_DAYS, -1, -1):
            day = self.today - dt.timedelta(days=back)
            for _town, name, _kind, _critical, _people, (start, _end) in DUTY_POSTS:
                if (name, back) in DUTY_UNCONFIRMED:
                    continue
                late = (name, back) in DUTY_LATE
                when = self.at(day, start + (1 if late else -rng.randrange(5, 40) / 60))
                if when <= self.now:
                    timeline.add(when, self._confirm(name, day), f"{name} {day:%m-%d} 确认到岗")
            for hour in (7.6, 8.6):  # the job's runs just past the grace after 07:00 and 08:00
                if self.at(day, hour) <= self.now:
                    timeline.add(self.at(day, hour), lambda: duty.raise_lapses(), f"值守巡检 {day:%m-%d}")

    def _confirm(self, name: str, day: dt.date):
        def run():
            shift = Shift.objects.select_related("post", "person").get(post__name=name, date=day)
            duty.confirm_handover(Actor(user=shift.person, request_id=REQUEST_ID), shift)
        return run

    def _schedule(self, timeline, plan, found: dt.date, last: dt.date) -> None:
        sector_code, town, reporter, place, where, title, unit_code, measures, level, fate = plan
        rng, state = self.rng, {}
        hour = 9 + rng.random() * 7

        def when(day: dt.date, shift: int) -> dt.datetime:
            return self.at(min(last, calendar.add_workdays(day, shift)), 9 + rng.random() * 8)

        def report():
            sector = Sector.objects.get(code=sector_code)
            spot = fate == "spot"
            state["hazard"] = services.report_hazard(
                self.actor(reporter), sector=sector, place=place, place_unit=where, title=title,
                township=self.county.units[town], level=level, photos=[_photo(title[:8], "before", rng)],
                on_the_spot=spot, result=f"当场{measures}。" if spot else "",
                after_photos=[_photo(title[:8], "after", rng)] if spot else [])

        timeline.add(self.at(found, hour), report, f"{place} 发现隐患")
        if fate in {"open", "spot"}:
            return
        assigned = calendar.add_workdays(found, 1)
        due = calendar.add_workdays(assigned, 15 if level == HazardLevel.GENERAL else 30)
        if fate == "late":
            due = calendar.add_workdays(last, -rng.randrange(3, 8))
        elif fate in {"fixing", "returned", "asked"}:
            due = max(due, calendar.add_workdays(last, rng.randrange(5, 20)))

        def assign():
            plan_fields = {}
            if level == HazardLevel.MAJOR:
                plan_fields = {"plan_goal": f"{due:%m月%d日}前消除隐患，验收合格后销号", "plan_person": self._head(unit_code).full_name,
                               "plan_contingency": "整改期间停止相关作业，落实专人盯守，配齐应急器材，发现险情立即撤人"}
            office = "anwei1" if level == HazardLevel.MAJOR or rng.random() < 0.5 else f"{town}_head"
            services.assign_rectification(
                self.actor(office), Hazard.objects.get(pk=state["hazard"].pk), lead_unit=self.county.units[unit_code],
                responsible_name=self._head(unit_code).full_name, measures=measures, due_date=due,
                funds=Decimal(rng.choice(["0.50", "1.20", "3.00", "8.00", "25.00"])), **plan_fields)

        timeline.add(when(found, 1), assign, f"{place} 交办整改")
        if fate in {"fixing", "late"}:
            return
        done_day = min(calendar.add_workdays(due, -rng.randrange(1, 5)), calendar.add_workdays(last, -3))
        done_day = max(done_day, calendar.add_workdays(assigned, 2))

        def ask(text: str):
            def run():
                services.request_verification(self.actor(f"{unit_code}_lly"), Hazard.objects.get(pk=state["hazard"].pk),
                                              result=text, photos=[_photo(title[:8], "after", rng)])
            return run

        timeline.add(self.at(done_day, 10.5), ask(f"已{measures}，整改完毕，请验收。"), f"{place} 申请验收")
        if fate == "asked":
            return
        checked = calendar.add_workdays(done_day, 1)
        verifier = "anwei1" if level == HazardLevel.MAJOR else rng.choice(["anwei1", "anwei2", f"{town}_head"])
        if fate == "returned":
            def send_back():
                services.return_hazard(self.actor(verifier), Hazard.objects.get(pk=state["hazard"].pk),
                                       reason=rng.choice(["整改后照片未反映全部整改内容，请补充。", "现场复核仍有遗留问题，请继续整改。"]))
            timeline.add(self.at(checked, 15), send_back, f"{place} 验收退回")
            return

        def verify():
            services.verify_hazard(self.actor(verifier), Hazard.objects.get(pk=state["hazard"].pk), note="现场复核，整改到位。")

        timeline.add(self.at(checked, 15.5), verify, f"{place} 验收销号")
        if fate == "again":  # back at the same place some weeks later: a recurrence against the unit that closed it
            came_back = min(last, calendar.add_workdays(checked, 20))

            def again():
                services.report_hazard(self.actor(reporter), sector=Sector.objects.get(code=sector_code), place=place, place_unit=where,
                                       title=f"{title}（复查发现问题反弹）", township=self.county.units[town],
                                       photos=[_photo(title[:8], "before", rng)])

            timeline.add(self.at(came_back, 10), again, f"{place} 回头看复发")

    def _head(self, code: str):
        return self.county.people[f"{code}_head"]

    def settle(self) -> SafetyResult:
        for hazard in Hazard.objects.all():
            services.refresh_light(hazard, self.today)
        hazards = Hazard.objects.all()
        posts, shifts, lapses = DutyPost.objects.all(), Shift.objects.all(), DutyLapse.objects.all()
        return SafetyResult(
            posts=posts.count(), critical_posts=posts.filter(critical=True).count(), shifts=shifts.count(),
            confirmed=shifts.filter(state=ShiftState.CONFIRMED).count(), lapses_open=lapses.filter(state=LapseState.OPEN).count(),
            lapses_late=lapses.filter(state=LapseState.CONFIRMED_LATE).count(),
            hazards=hazards.count(), major=hazards.filter(level=HazardLevel.MAJOR).count(),
            on_the_spot=hazards.filter(rectified_on_spot=True).count(), recurrences=hazards.filter(recurrence_of__isnull=False).count(),
            per_state=dict(Counter(hazards.values_list("state", flat=True))), inspections=Inspection.objects.count())
