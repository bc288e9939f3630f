"""The demo's appeals desk: about 300 enterprise appeals over the last year, from the public form, the phone, visits,
the 12345 hotline and leaders' visits — accepted or declined by the business office, dispatched (some to the wrong
unit first and sent back), signed for, replied to, called back and rated; some re-opened, a few twice (and sent to
the leader in charge), some extended as complex, some merged as duplicates, some ruled out of the rates, some
repeats of a closed appeal, a few with the enterprise's identity hidden from the unit. Written through the
services as the county's people, on the demo's shared timeline (core.demo.Timeline): an appeal whose next step
would fall after yesterday simply is where its story has got to."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from duban.appeals import creditcode, services
from duban.appeals.choices import AppealState, Category, Channel, Outcome, RatedVia, Rating, Urgency
from duban.appeals.models import Appeal
from duban.core import calendar
from duban.core.actor import Actor

REQUEST_ID = "duban-demo"
REGION = "649900"  # a region code no county has: the demo county is nameless
APPEALS = 300
DESK = ("yingshang1", "yingshang2")  # the business office's two people (core.demo)
WEB = "企业（网上）"  # the actor's name of a submission from the public form

# 字号 and trade of the county's enterprises (nameless, as the county is): one enterprise may appeal several times.
BRANDS = ["宏达", "鑫源", "金穗", "塞上", "恒泰", "瑞丰", "同心", "长城", "新丰", "佳禾", "兴盛", "润通", "天元", "晟华",
          "福禄", "万和", "沙湖", "丰泽", "嘉诚", "盛邦", "启明", "益民", "泰和", "永盛", "六盘", "红枣", "清泉"]
TRADES = [("枸杞种植专业合作社", "合作社"), ("新材料有限公司", "公司"), ("建材有限公司", "公司"), ("食品有限公司", "公司"),
          ("滩羊养殖有限公司", "公司"), ("葡萄酒庄有限公司", "公司"), ("物流有限公司", "公司"), ("光伏科技有限公司", "公司"),
          ("乳业有限公司", "公司"), ("农业科技有限公司", "公司"), ("商贸有限公司", "公司"), ("电子商务有限公司", "公司"),
          ("建筑工程有限公司", "公司"), ("餐饮管理有限公司", "公司"), ("机械制造有限公司", "公司"), ("文化旅游开发有限公司", "公司")]
CONTACTS = ["马经理", "杨总", "李会计", "张厂长", "王主任", "海经理", "丁总", "纳经理", "周会计", "田厂长", "白总", "金经理"]

# Per category: the unit that answers it, a unit it is sometimes wrongly dispatched to first, and what enterprises ask.
CATEGORIES = {
    Category.LAND: ("ziran", "zhujian", [
        "厂区扩建用地已列入规划，用地预审材料提交一个多月未见答复，影响项目开工。",
        "企业租用的村集体建设用地续租手续办不下来，请协调自然资源部门明确办理路径。",
        "园区标准化厂房土地证至今未办理，银行不能抵押贷款。",
    ]),
    Category.APPROVAL: ("shenpi", "zhujian", [
        "施工许可申请材料已齐全，窗口要求补充的材料前后说法不一，来回跑了三次。",
        "食品生产许可证换证，现场核查一直没有安排，旧证月底到期。",
        "项目环评和能评串联审批，时间太长，能否并联办理。",
    ]),
    Category.FINANCING: ("caizheng", "fagai", [
        "申请的创业担保贷款已审核通过，银行一直未放款。",
        "企业想申请县里的助企纾困资金，不清楚申报条件和流程。",
        "流动资金紧张，请协调银行办理续贷，避免抽贷断贷。",
    ]),
    Category.UTILITIES: ("gongdian", "zhujian", [
        "新建车间用电增容申请已提交两个月，至今未安排勘察。",
        "冷库所在片区经常停电，一个月停了四次，库存果蔬损失较大。",
        "厂区天然气管道接入报装费用过高，请核实收费依据。",
    ]),
    Category.POLICY: ("gongxin", "shangwu", [
        "去年招商引资时承诺的设备购置补贴至今未兑现。",
        "申报的“专精特新”企业奖励资金已公示，迟迟没有拨付。",
        "稳岗返还政策企业符合条件，申请后一直没有到账。",
    ]),
    Category.ENFORCEMENT: ("shijian", "chengshi", [
        "一个月内被不同部门检查五次，检查内容重复，影响正常生产。",
        "店铺招牌被要求拆除，但未出具书面依据，请说明执法依据。",
        "企业对罚款决定有异议，希望了解申辩渠道和首违不罚的适用条件。",
    ]),
    Category.ARREARS: ("caizheng", "zhujian", [
        "承建的乡镇道路工程已竣工验收两年，尚欠工程款一百二十余万元。",
        "为县直单位供应办公用品的货款拖欠一年多，多次催要未果。",
        "政府采购项目质保金到期未退还。",
    ]),
    Category.OTHER: ("renshe", "chengguan", [
        "企业招工难，希望人社部门组织专场招聘会。",
        "厂区门前道路破损严重，货车进出困难。",
        "企业员工子女入学咨询，希望明确外来务工人员子女入学办法。",
    ]),
}
WEIGHTS = {Category.LAND: 10, Category.APPROVAL: 16, Category.FINANCING: 12, Category.UTILITIES: 14, Category.POLICY: 16,
           Category.ENFORCEMENT: 10, Category.ARREARS: 12, Category.OTHER: 10}
REPLIES = {
    Outcome.RESOLVED: ["已协调相关部门现场办理，问题已解决，请企业确认。", "经核实情况属实，已按规定办结，相关款项已拨付到位。"],
    Outcome.PARTLY: ["已完成现场勘察，后续工作按计划推进，预计下月完成。", "部分诉求已解决，其余事项需上级部门批复，我局持续跟进。"],
    Outcome.UNRESOLVABLE: ["经核实，该诉求不符合现行政策规定，已向企业当面解释。"],
}
LEGAL_BASIS = "《优化营商环境条例》第六十一条及现行县级财政补贴管理办法相关规定"
SEND_BACK_REASONS = ["该事项不属于本单位职责，建议派至主管部门办理。", "诉求涉及事项由其他部门审批，本单位无权处理。"]
UNSATISFIED = ["答复只说在推进，没有具体时间。", "问题没有实际解决，还是老样子。", "答复内容与反映的问题不一致。"]
RULED_OUT = ["诉求涉及司法诉讼程序，超出县级行政职权。", "要求明显不合理：要求减免依法应缴的税款。", "属于企业间民事合同纠纷。"]
DECLINES = ["诉求内容不完整，已电话告知企业补充后重新提交。", "该事项已进入司法程序，依法不予受理。"]

# What becomes of an appeal (a story stops where the calendar does): the weights of each fate.
FATES = [("closed", 52), ("reopened_closed", 8), ("reopened", 4), ("twice", 2), ("late", 5), ("replied", 5), ("handling", 6),
         ("complex", 4), ("sent_back", 8), ("declined", 3), ("merged", 3)]


@dataclass
class AppealsResult:
    appeals: int = 0
    per_state: dict[str, int] = field(default_factory=dict)
    sent_back: int = 0
    repeats: int = 0
    ruled_out: int = 0
    hidden: int = 0
    reopened: int = 0
    escalated: int = 0

    def describe(self) -> str:
        states = "，".join(f"{AppealState(s).label} {self.per_state.get(s, 0)}" for s in AppealState)
        return (f"企业诉求：{self.appeals} 件（退单 {self.sent_back} 件，重复诉求 {self.repeats} 件，不纳入考核 {self.ruled_out} 件，"
                f"对承办单位隐藏身份 {self.hidden} 件，重办 {self.reopened} 件，提交分管县领导 {self.escalated} 件）。\n  按状态：{states}")


class AppealsDemo:
    """One load of the appeals desk relative to `now`."""

    def __init__(self, now: dt.datetime, seed: int = 8):
        self.now = now
        self.today = timezone.localdate(now)
        self.first = calendar.next_workday(self.today - dt.timedelta(days=330))
        self.last = calendar.add_workdays(self.today, -1)  # steps happen up to yesterday's office hours
        self.county_opened = self.at(self.first - dt.timedelta(days=7), 9)
        self.rng = random.Random(seed)
        self.enterprises = self._enterprises()

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone())

    def actor(self, login: str) -> Actor:
        return Actor(user=self.county.people[login], request_id=REQUEST_ID)

    def _enterprises(self) -> list[dict]:
        """About 80 enterprises, each with a computed credit code (GB 32100: 91 + region + body + check)."""
        out, used = [], set()
        while len(out) < 80:
            brand, (trade, _form) = self.rng.choice(BRANDS), self.rng.choice(TRADES)
            name = f"{brand}{trade}"
            if name in used:
                continue
            used.add(name)
            body = "".join(self.rng.choice("0123456789") for _ in range(8)) + self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")
            kind = "93" if trade.endswith("合作社") else "91"  # 农民专业合作社 or 企业 registered with 市场监管
            code = creditcode.make(f"{kind}{REGION}{body}")
            out.append({"name": name, "code": code, "contact": self.rng.choice(CONTACTS),
                        "phone": f"139{self.rng.randrange(10**7, 10**8)}"})
        return out

    def begin(self, county, timeline) -> None:
        self.county = county
        span = (self.last - self.first).days
        fates, weights = zip(*FATES, strict=True)
        categories, cat_weights = zip(*WEIGHTS.items(), strict=True)
        for index in range(APPEALS):
            day = calendar.next_workday(self.first + dt.timedelta(days=index * span // APPEALS))
            if day > self.last:
                day = self.last
            plan = {"index": index, "day": day, "category": self.rng.choices(categories, cat_weights)[0],
                    "fate": self.rng.choices(fates, weights)[0], "enterprise": self.rng.choice(self.enterprises),
                    "hidden": self.rng.random() < 0.08, "ruled_out": self.rng.random() < 0.05,
                    "urgent": self.rng.random() < 0.12, "repeat": self.rng.random() < 0.08}
            if index >= APPEALS - 6:  # yesterday's last appeals: two to accept, two to dispatch, two to sign for
                waits = {APPEALS - 1: "waiting", APPEALS - 2: "waiting", APPEALS - 3: "to_dispatch", APPEALS - 4: "to_dispatch"}
                plan.update(day=self.last, fate=waits.get(index, "to_sign"), ruled_out=False)
            self._schedule(timeline, plan)

    # --- one appeal's story ------------------------------------------------------------------------

    def _schedule(self, timeline, plan: dict) -> None:
        rng, state = self.rng, {}
        category, fate, who = plan["category"], plan["fate"], plan["enterprise"]
        right, wrong, texts = CATEGORIES[category]
        text = rng.choice(texts)
        desk = rng.choice(DESK)
        channel = rng.choices([Channel.WEB, Channel.PHONE, Channel.VISIT, Channel.HOTLINE, Channel.LEADER_VISIT], [45, 20, 12, 18, 5])[0]
        steps: list[tuple[dt.date, float, object, str]] = []
        day = plan["day"]
        label = f"诉求 #{plan['index'] + 1}"

        def appeal() -> Appeal:
            return Appeal.objects.get(pk=state["pk"])

        def add(on: dt.date, hour: float, run, what: str) -> None:
            steps.append((on, hour, run, what))

        def submit():
            actor = Actor.system(WEB) if channel == Channel.WEB else self.actor(desk)
            made = services.submit_appeal(
                actor, channel=channel, enterprise_name=who["name"], credit_code=who["code"] if channel == Channel.WEB or rng.random() < 0.7 else "",
                contact_name=who["contact"], phone=who["phone"], category=category, description=text,
                urgency=Urgency.URGENT if plan["urgent"] else Urgency.NORMAL, identity_hidden=plan["hidden"],
                hotline_ref=f"12345-{day:%Y%m%d}-{plan['index']:04d}" if channel == Channel.HOTLINE else "")
            state["pk"] = made.appeal.pk

        add(day, 9 + rng.random() * 7, submit, "提交")
        if fate == "waiting":
            return self._put(timeline, steps, label)
        if fate in ("to_dispatch", "to_sign"):
            add(day, 16.5, lambda: services.accept_appeal(self.actor(desk), appeal()), "受理")
            if fate == "to_sign":
                add(day, 17, lambda: services.dispatch_appeal(self.actor(desk), appeal(), lead_unit=self.county.units[right]), "派单")
            return self._put(timeline, steps, label)
        accept_day = calendar.add_workdays(day, 1 if rng.random() < 0.85 else 2)
        if fate == "declined":
            add(accept_day, 9.5, lambda: services.decline_appeal(self.actor(desk), appeal(), reason=rng.choice(DECLINES)), "不予受理")
            return self._put(timeline, steps, label)
        if fate == "merged":  # a duplicate of the enterprise's open appeal: submitted again the next day, merged into it
            self._duplicate(timeline, plan, text, desk, state)
        add(accept_day, 9.5, lambda: services.accept_appeal(self.actor(desk), appeal()), "受理")
        dispatch_day = accept_day if rng.random() < 0.7 else calendar.add_workdays(accept_day, 1)
        first = wrong if fate == "sent_back" else right
        cooperating = [self.county.units[wrong]] if rng.random() < 0.1 and fate != "sent_back" else []
        add(dispatch_day, 10.5, lambda: services.dispatch_appeal(self.actor(desk), appeal(), lead_unit=self.county.units[first],
                                                                 cooperating_units=cooperating), "派单")
        sign_day = calendar.add_workdays(dispatch_day, 1 if rng.random() < 0.85 else 2)
        if fate == "sent_back":
            add(sign_day, 9, lambda: services.send_back_appeal(self.actor(f"{wrong}_lly"), appeal(), reason=rng.choice(SEND_BACK_REASONS)), "退单")
            dispatch_day = sign_day
            add(sign_day, 15, lambda: services.dispatch_appeal(self.actor(desk), appeal(), lead_unit=self.county.units[right]), "重新派单")
            sign_day = calendar.add_workdays(sign_day, 1)
            fate = "closed"
        hand = f"{right}_lly" if rng.random() < 0.8 else f"{right}_head"
        add(sign_day, 9.2, lambda: services.sign_appeal(self.actor(hand), appeal()), "签收")
        reply_days = 2 if plan["urgent"] else 5
        earliest = sign_day
        if fate == "complex":
            ask = calendar.add_workdays(sign_day, 2)
            add(ask, 11, lambda: services.request_extension(self.actor(hand), appeal(), reason="涉及多个部门和上级审批，5个工作日内难以办结。"), "申请延期")
            add(calendar.add_workdays(ask, 1), 10, lambda: services.decide_extension(self.actor("yingshang1"), appeal(), approve=True), "同意延期")
            reply_days, earliest = 15, calendar.add_workdays(ask, 1)
        if fate in ("handling",):
            return self._finish(timeline, steps, label, plan, appeal)
        if fate == "late":  # the reply limit passes with nothing said: the ladder chases it
            return self._finish(timeline, steps, label, plan, appeal)
        # Most replies within the limit, some a few days late.
        reply_day = calendar.add_workdays(sign_day, rng.randrange(1, reply_days + 1) if rng.random() < 0.88 else reply_days + rng.randrange(1, 4))
        reply_day = max(reply_day, calendar.add_workdays(earliest, 1))
        rounds = {"reopened": 2, "reopened_closed": 2, "twice": 3}.get(fate, 1)
        for round_no in range(1, rounds + 1):
            last_round = round_no == rounds
            if fate == "reopened" and last_round:  # re-opened, the second reply still to come
                break
            outcome = self._outcome(round_no, rounds)
            add(reply_day, 16, self._reply(hand, appeal, outcome), f"答复（第{round_no}轮）")
            if fate == "replied" and last_round:
                break
            rate_day = calendar.add_workdays(reply_day, rng.randrange(0, 3))
            unhappy = not last_round or fate == "twice"
            add(rate_day, 14.5, self._rate(desk, appeal, unhappy), f"回访（第{round_no}轮）")
            if fate == "twice" and round_no == 2:
                break
            reply_day = calendar.add_workdays(rate_day, rng.randrange(2, 5))
        if fate in ("closed", "reopened_closed") and plan["repeat"]:
            self._repeat(timeline, plan, calendar.add_workdays(reply_day, rng.randrange(15, 50)))
        return self._finish(timeline, steps, label, plan, appeal)

    def _finish(self, timeline, steps, label, plan, appeal) -> None:
        if plan["ruled_out"] and len(steps) > 2:
            on, hour = steps[-1][0], steps[-1][1] + 0.5
            steps.append((on, hour, lambda: services.exclude_appeal(self.actor("yingshang1"), appeal(), reason=self.rng.choice(RULED_OUT)),
                          "不纳入考核"))
        self._put(timeline, steps, label)

    def _put(self, timeline, steps, label) -> None:
        """The steps up to yesterday, each at its working day's hour, in order (a step never before the one before it)."""
        previous = None
        for on, hour, run, what in steps:
            if on > self.last:
                return
            moment = self.at(on, min(hour, 17.5))
            if previous is not None and moment <= previous:
                moment = previous + dt.timedelta(minutes=5)
            timeline.add(moment, run, f"{label} {what}")
            previous = moment

    def _outcome(self, round_no: int, rounds: int) -> str:
        if round_no < rounds:
            return Outcome.PARTLY
        return self.rng.choices([Outcome.RESOLVED, Outcome.PARTLY, Outcome.UNRESOLVABLE], [78, 15, 7])[0]

    def _reply(self, hand: str, appeal, outcome: str):
        text = self.rng.choice(REPLIES[outcome])

        def run():
            services.reply_appeal(self.actor(hand), appeal(), public_text=text, outcome=outcome,
                                  internal_note="已电话联系企业负责人。", legal_basis=LEGAL_BASIS if outcome == Outcome.UNRESOLVABLE else "")
        return run

    def _rate(self, desk: str, appeal, unhappy: bool):
        rng = self.rng
        rating = Rating.UNSATISFIED if unhappy else rng.choices([Rating.SATISFIED, Rating.BASIC], [80, 20])[0]
        by_enterprise = rng.random() < 0.3
        comment = rng.choice(UNSATISFIED) if unhappy else ""

        def run():
            actor = services.enterprise_actor() if by_enterprise else self.actor(desk)
            services.rate_appeal(actor, appeal(), rating=rating, comment=comment,
                                 via=RatedVia.ENTERPRISE if by_enterprise else RatedVia.CALLBACK)
        return run

    def _duplicate(self, timeline, plan, text, desk, state) -> None:
        """The same enterprise's same appeal again, by phone the next working day: merged into the first."""
        day = calendar.add_workdays(plan["day"], 1)
        if day > self.last:
            return
        who, found = plan["enterprise"], {}

        def again():
            first = Appeal.objects.get(pk=state["pk"])  # typed in as the first was (with its credit code or without)
            found["pk"] = services.submit_appeal(self.actor(desk), channel=Channel.PHONE, enterprise_name=who["name"], credit_code=first.credit_code,
                                                 contact_name=who["contact"], phone=who["phone"], category=plan["category"],
                                                 description="（电话再次反映）" + text).appeal.pk

        def merge():
            into = Appeal.objects.get(pk=state["pk"])
            if into.is_open:
                services.merge_appeal(self.actor(desk), Appeal.objects.get(pk=found["pk"]), into=into)
            else:  # the first was closed meanwhile: this one is declined as already answered
                services.decline_appeal(self.actor(desk), Appeal.objects.get(pk=found["pk"]), reason=f"与已办结的诉求 {into.code} 重复，已答复。")

        self._put(timeline, [(day, 8.6, again, "重复提交"), (day, 8.8, merge, "合并")], f"诉求 #{plan['index'] + 1}")

    def _repeat(self, timeline, plan, day: dt.date) -> None:
        """The enterprise comes back with the same kind of problem some weeks after the closing: a repeat."""
        if day > self.last:
            return
        repeat = {**plan, "index": APPEALS + plan["index"], "day": day, "fate": "closed", "repeat": False, "ruled_out": False}
        self._schedule(timeline, repeat)

    # --- what was made ----------------------------------------------------------------------------------

    def settle(self) -> AppealsResult:
        for appeal in Appeal.objects.all():
            services.refresh_light(appeal, self.today)
        appeals = Appeal.objects.all()
        return AppealsResult(
            appeals=appeals.count(), per_state=dict(Counter(appeals.values_list("state", flat=True))),
            sent_back=appeals.filter(sendback_count__gt=0).count(), repeats=appeals.filter(repeat_of__isnull=False).count(),
            ruled_out=appeals.filter(excluded=True).count(), hidden=appeals.filter(identity_hidden=True).count(),
            reopened=appeals.filter(reopen_count__gt=0).count(), escalated=appeals.filter(escalated=True).count())
