"""The demo's key-project ledger: 40 projects of the county's year (县级重点项目计划 and the investment leads beside
it) at every stage from 线索 to 投产, two of them 终止 — entered by the project office (发改局) early in the year or
when a lead came in, moved along the pipeline by the office and the responsible units, their procedures (立项、
用地、规划、环评、能评、施工许可) started and closed by the units that handle them (自然资源局, 生态环境分局, 住建局 …),
some waived, one extended, a few still open past their limit (the red projects, their reason naming the late
procedure's unit); every month's plan and the monthly investment reports (the year's early months imported by the
office from the county's monthly sheet, the last three reported by the units — a few late, two of last month still
missing, this month's due); problems raised as enterprise appeals and as key-work tasks. Written through the
services as the county's people, on the demo's shared timeline (core.demo.Timeline): a step that would fall after
yesterday is left out, so a project is where its story has got to."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from duban.core import audit, calendar
from duban.core.actor import Actor
from duban.matters import lights, registry
from duban.matters import services as kernel
from duban.projects import services
from duban.projects.choices import DEFAULT_PROCEDURES, ProblemRoute, ProcedureState, ReportState, Stage
from duban.projects.kind import PROCEDURE_KEY, PROJECT_KEY, REPORT_KEY, REPORT_KIND
from duban.projects.models import InvestmentReport, Procedure, ProcedureType, Project, ProjectProblem

REQUEST_ID = "duban-demo"
OFFICE = "fagai_lly"  # the project office (发改局, DUBAN_PROJECTS_OFFICE_UNIT's default) enters and keeps the ledger
DESK = "yingshang1"  # the business office takes the problems raised as enterprise appeals
SUPERVISION = "ducha1"  # the supervision office puts a problem on the campaign's ledger as a key-work task

# The unit that usually handles each procedure type (ProcedureType.default_unit), by the demo county's unit codes.
HANDLERS = {"approval": "fagai", "land_expropriation": "ziran", "land_transfer": "ziran", "land_supply": "ziran",
            "planning": "ziran", "eia": "huanjing", "energy": "fagai", "construction_permit": "zhujian"}
WORKDAYS = {code: days for code, _name, _before, days, _types in DEFAULT_PROCEDURES}
# What a procedure waits for (the land before the planning permit, everything before the construction permit).
AFTER = {"approval": (), "land_expropriation": ("approval",), "land_transfer": ("land_expropriation", "approval"),
         "land_supply": ("land_transfer", "land_expropriation", "approval"), "planning": ("land_supply", "approval"),
         "eia": ("approval",), "energy": ("approval",), "construction_permit": ("planning", "eia", "energy")}
APPROVAL_NO = {"approval": "县发改审批〔{y}〕{n}号", "land_expropriation": "县征地〔{y}〕{n}号", "land_transfer": "县国有建设用地出让合同〔{y}〕{n}号",
               "land_supply": "县自然资供〔{y}〕{n}号", "planning": "建字第{y}-{n:03d}号", "eia": "县环审〔{y}〕{n}号",
               "energy": "县发改能审〔{y}〕{n}号", "construction_permit": "施字{y}{n:04d}号"}
WAIVERS = {"energy": "年综合能源消费量不足1000吨标准煤，按规定不单独进行节能审查。",
           "land_expropriation": "使用园区已收储的国有建设用地，无需征收。",
           "eia": "属环评分类管理名录豁免类项目，无需办理。"}
# The monthly weights of a year's investment: little in the frozen months, most in the building season.
SEASON = (2, 3, 7, 9, 10, 11, 11, 11, 10, 9, 6, 4)
PHASES = ("场地平整、临时设施搭建", "基础土方开挖", "基础施工", "主体结构施工", "主体结构封顶", "钢结构及屋面施工", "墙体砌筑及外立面施工",
          "设备基础施工", "设备进场安装", "室内装修及管线安装", "设备安装调试", "室外配套及绿化", "竣工验收准备")
PREPARING_WORDS = "前期手续办理中，已办结{done}项；场地清表、勘察设计同步推进。"

# (fate, name, investor, industry, project type, level, total investment 万元, responsible unit, leader in charge, township,
# site, what is built). The fate is the project's year — see ProjectsDemo._plan:
#   lead: entered as a lead · talks: → 在谈 · signed: → 在谈 → 签约 · stop: → 在谈 → 终止 ·
#   prep-<code>-<how>: signed, → 前期手续, its procedures under way and held at <code> (late: past its limit; near: the
#     limit in two working days; fresh: just started; extend: the limit moved) ·
#   build: signed, → 前期手续, every procedure closed, → 开工 · cont: 续建 (begun before this year) ·
#   done: 续建 → 竣工 · prod: 续建 → 竣工 → 投产 (prod0: 竣工 last year, 投产 in January).
PROJECTS = [
    ("prod0", "年产5万吨果蔬饮品生产线项目", "瑞丰食品有限公司", "agri_food", "industrial", "city", 36000, "gongxin", "fxz_gongye", "xihe",
     "西河镇食品产业园", "新建果汁、蔬菜汁饮品生产线4条及冷库、成品仓储"),
    ("prod", "2×50MW农光互补光伏电站项目", "启明光伏科技有限公司", "new_energy", "industrial", "province", 48000, "fagai", "changwu", "beipo",
     "北坡乡荒山荒坡", "建设100MW光伏阵列、110kV升压站及送出线路，板下种植中药材"),
    ("prod", "县城第二污水处理厂项目", "县城市建设投资有限公司", "infrastructure", "infrastructure", "county", 18500, "zhujian", "fxz_chengjian",
     "chengguan", "城关镇东环路以东", "日处理污水3万吨，配套截污管网12公里"),
    ("done", "县人民医院门急诊综合楼项目", "县人民医院", "social", "social", "city", 26000, "weijian", "fxz_wenjiao", "chengguan",
     "城关镇人民路县人民医院院内", "新建门急诊综合楼4.2万平方米，新增床位300张"),
    ("done", "农产品冷链物流园项目", "润通物流有限公司", "services", "industrial", "city", 32000, "shangwu", "fxz_gongye", "dongguan",
     "东关镇物流园区", "建设冷库5万吨、分拣中心、交易大厅，配套冷链运输车辆60台"),
    ("done", "城区老旧小区改造项目", "县住房和城乡建设局", "social", "infrastructure", "county", 8600, "zhujian", "fxz_chengjian", "chengguan",
     "城关镇东街、西街社区", "改造老旧小区23个1860户，更新管网、屋面防水、外墙保温及绿化"),
    ("cont", "年产10万吨新型建材项目", "鑫源新材料有限公司", "materials", "industrial", "county", 52000, "gongxin", "fxz_gongye", "liulin",
     "柳林镇工业园区", "新建蒸压加气混凝土砌块、装配式墙板生产线各2条"),
    ("cont", "县第三中学新建项目", "县教育局", "social", "social", "county", 15800, "jiaoyu", "fxz_wenjiao", "chengguan",
     "城关镇南环路", "新建教学楼、实验楼、学生宿舍及400米标准运动场，办学规模60个班"),
    ("cont", "县城污水管网改造提升工程", "县城市建设投资有限公司", "infrastructure", "infrastructure", "county", 9800, "zhujian", "fxz_chengjian",
     "chengguan", "县城主次干道", "改造雨污分流管网48公里，新建污水提升泵站2座"),
    ("cont", "S305线石桥至南岭段改扩建工程", "县交通运输局", "infrastructure", "infrastructure", "province", 68000, "jiaotong", "xianzhang",
     "shiqiao", "石桥镇—南岭镇", "按二级公路标准改扩建32.6公里，新建桥梁4座"),
    ("cont", "高标准农田建设项目", "县农业农村局", "agriculture", "agricultural", "county", 12000, "nongye", "fxz_nongye", "qingshan",
     "青山乡、杨庄乡", "建设高标准农田5万亩，配套灌溉渠系、田间道路及农田防护林"),
    ("cont", "青山湖生态文化旅游区项目", "天元文化旅游开发有限公司", "tourism", "industrial", "city", 45000, "wenlv", "fxz_wenjiao", "qingshan",
     "青山乡青山湖", "建设游客服务中心、环湖栈道12公里、民宿集群及生态停车场"),
    ("build", "年产2万吨高端铝型材项目", "恒泰新材料有限公司", "materials", "industrial", "county", 28000, "gongxin", "fxz_gongye", "liulin",
     "柳林镇工业园区", "新建挤压、氧化、喷涂生产线及成品库，年产建筑及工业铝型材2万吨"),
    ("build", "智能装备制造产业园项目", "长城机械制造有限公司", "manufacturing", "industrial", "city", 60000, "gongxin", "fxz_gongye", "dongguan",
     "东关镇装备制造园", "建设标准化厂房12万平方米，引进农机装备及零部件企业入驻"),
    ("build", "县城集中供热扩容工程", "县热力有限公司", "infrastructure", "infrastructure", "county", 7600, "zhujian", "fxz_chengjian", "chengguan",
     "县城热源厂及城南片区", "新增70MW热水锅炉1台，新建供热一次管网8.5公里"),
    ("build", "10万头生猪标准化养殖场项目", "丰泽农业科技有限公司", "agriculture", "agricultural", "county", 16000, "nongye", "fxz_nongye", "yangzhuang",
     "杨庄乡养殖园区", "建设标准化猪舍、饲料加工车间及粪污资源化利用设施"),
    ("build", "县城保障性租赁住房项目", "县城市建设投资有限公司", "social", "real_estate", "county", 11000, "zhujian", "fxz_chengjian", "chengguan",
     "城关镇北环路", "建设保障性租赁住房860套及配套商业、停车场"),
    ("prep-land_expropriation-late", "年产3GW光伏组件项目", "晟华光伏科技有限公司", "new_energy", "industrial", "province", 120000, "gongxin", "shuji",
     "xihe", "西河镇新能源产业园", "建设电池片、光伏组件生产线各6条及配套仓储"),
    ("prep-eia-late", "锂电池正极材料项目", "嘉诚新材料有限公司", "materials", "industrial", "city", 85000, "gongxin", "fxz_gongye", "liulin",
     "柳林镇工业园区", "年产5万吨磷酸铁锂正极材料，建设生产车间、研发中心及危废暂存库"),
    ("prep-planning-late", "县中医医院整体搬迁项目", "县中医医院", "social", "social", "county", 22000, "weijian", "fxz_wenjiao", "chengguan",
     "城关镇南环路以南", "新建门诊医技楼、住院楼，设置床位400张"),
    ("prep-land_transfer-late", "古街区保护与文旅开发项目", "同心文化旅游开发有限公司", "tourism", "industrial", "county", 18000, "wenlv", "fxz_wenjiao",
     "shiqiao", "石桥镇老街", "修缮传统民居86栋，建设非遗展示街区及游客集散中心"),
    ("prep-construction_permit-near", "农副产品精深加工产业园项目", "佳禾食品有限公司", "agri_food", "industrial", "county", 26000, "shangwu", "fxz_gongye",
     "xinji", "新集镇农产品加工园", "建设清洗分拣、速冻、烘干车间及冷库2万吨"),
    ("prep-land_transfer-extend", "城南片区棚户区改造项目", "县城市建设投资有限公司", "social", "real_estate", "county", 34000, "zhujian", "fxz_chengjian",
     "chengguan", "城关镇南关村", "改造棚户区1200户，建设安置住房及配套学校、社区服务中心"),
    ("prep-energy-fresh", "风电场二期100MW项目", "塞上新能源有限公司", "new_energy", "industrial", "province", 62000, "fagai", "changwu", "gaoling",
     "高岭乡山区", "安装5MW风电机组20台，新建220kV升压站1座"),
    ("prep-construction_permit-fresh", "农村供水保障工程", "县水利局", "infrastructure", "infrastructure", "county", 6800, "shuili", "fxz_nongye",
     "baishui", "白水镇、柳林镇", "新建水厂1座、输配水管网210公里，覆盖42个行政村"),
    ("signed", "年产20万吨饲料加工项目", "兴盛农业科技有限公司", "agri_food", "industrial", "county", 9500, "shangwu", "fxz_gongye", "xinji",
     "新集镇农产品加工园", "建设饲料生产线2条及原料筒仓"),
    ("signed", "数据中心及算力基地项目", "云启数据科技有限公司", "services", "industrial", "province", 150000, "fagai", "xianzhang", "dongguan",
     "东关镇数字经济园", "建设数据中心机房楼4栋，部署标准机柜8000个"),
    ("signed", "农机装备维修服务中心项目", "万和机械制造有限公司", "manufacturing", "industrial", "none", 4800, "gongxin", "fxz_gongye", "nanling",
     "南岭镇", "建设农机维修车间、配件仓库及培训中心"),
    ("signed", "乡村民宿集群项目", "福禄文化旅游开发有限公司", "tourism", "industrial", "county", 6200, "wenlv", "fxz_wenjiao", "gaoling",
     "高岭乡松树岭", "改造闲置农房60栋为精品民宿，配套游客中心和步道"),
    ("talks", "年产1万吨碳纤维复合材料项目", "盛邦新材料有限公司", "materials", "industrial", "city", 78000, "shangwu", "fxz_gongye", "liulin",
     "柳林镇工业园区", "建设碳纤维原丝、碳化及复合材料制品生产线"),
    ("talks", "中药材种植及饮片加工项目", "益民中药材有限公司", "agri_food", "agricultural", "county", 8000, "nongye", "fxz_nongye", "beipo",
     "北坡乡", "建设中药材种植基地1万亩及饮片加工车间"),
    ("talks", "城市商业综合体项目", "泰和置业有限公司", "services", "real_estate", "county", 42000, "shangwu", "changwu", "chengguan",
     "城关镇新区中心", "建设购物中心、影院、酒店及地下停车场，总建筑面积18万平方米"),
    ("talks", "100MW/200MWh储能电站项目", "永盛储能科技有限公司", "new_energy", "industrial", "city", 36000, "fagai", "changwu", "xihe",
     "西河镇新能源产业园", "建设电化学储能电站及110kV升压站"),
    ("lead", "汽车零部件生产项目", "长三角某汽车零部件企业", "manufacturing", "industrial", "none", 20000, "shangwu", "fxz_gongye", "dongguan",
     "东关镇装备制造园（拟选址）", "拟建设汽车线束、内饰件生产线"),
    ("lead", "预制菜加工项目", "闽商食品集团", "agri_food", "industrial", "none", 12000, "shangwu", "fxz_gongye", "xinji",
     "新集镇农产品加工园（拟选址）", "拟建设中央厨房及预制菜生产线"),
    ("lead", "康养小镇项目", "金穗健康产业有限公司", "services", "real_estate", "none", 30000, "wenlv", "fxz_wenjiao", "qingshan",
     "青山乡青山湖北岸（拟选址）", "拟建设康养公寓、医养中心及配套设施"),
    ("lead", "光伏制氢一体化项目", "鼎盛氢能科技有限公司", "new_energy", "industrial", "none", 90000, "fagai", "xianzhang", "gaoling",
     "高岭乡（拟选址）", "拟建设光伏电站200MW及电解水制氢装置"),
    ("lead", "电子元器件产业园项目", "粤港电子有限公司", "manufacturing", "industrial", "none", 25000, "shangwu", "fxz_gongye", "dongguan",
     "东关镇数字经济园（拟选址）", "拟建设电子元器件封装测试厂房"),
    ("stop", "废旧轮胎综合利用项目", "环宇再生资源有限公司", "materials", "industrial", "none", 6000, "shangwu", "fxz_gongye", "liulin",
     "柳林镇工业园区（拟选址）", "拟建设废旧轮胎热裂解生产线"),
    ("stop", "大型游乐园项目", "乐途文旅投资有限公司", "tourism", "industrial", "none", 50000, "wenlv", "fxz_wenjiao", "chengguan",
     "城关镇滨河新区（拟选址）", "拟建设主题游乐园及配套商业"),
]
CONTACTS = ["马经理", "杨总", "李主任", "张厂长", "王科长", "海经理", "丁总", "周主任", "田经理", "白总", "金科长", "刘工"]
STOP_REASONS = ["项目环保风险较大，不符合园区产业定位，经县政府研究终止引进。", "投资方资金链紧张，书面撤回投资意向。"]
# Problems raised on projects: (project name, who raises it, route, appeal category or the task's lead unit, title, detail,
# working days before yesterday, taken up by the business office).
PROBLEMS = [
    ("年产3GW光伏组件项目", "gongxin_lly", "appeal", "land", "项目用地范围内3户群众房屋尚未签订征收补偿协议",
     "土地征收已超过办理时限，3户群众对补偿标准有异议，请协调自然资源局和西河镇加快征收。", 45, True),
    ("年产10万吨新型建材项目", "fxz_gongye", "appeal", "utilities", "二期车间用电增容申请两个月未答复",
     "二期生产线计划下月试车，10kV专线增容申请提交后一直未安排勘察。", 60, True),
    ("古街区保护与文旅开发项目", "wenlv_lly", "appeal", "approval", "传统民居修缮方案需文物部门审查，审查时间不明确", "", 1, False),
    ("智能装备制造产业园项目", SUPERVISION, "task", "caizheng", "园区配套道路及给排水管网建设资金未落实",
     "配套道路2.3公里、给排水管网4公里，需县财政局会同发改局落实资金来源。", 25, False),
    ("县中医医院整体搬迁项目", SUPERVISION, "task", "ziran", "搬迁选址地块控制性详细规划需调整",
     "规划许可因控规调整暂停，需县自然资源局提请县规委会研究。", 12, False),
]
OVERDUE = ("县城污水管网改造提升工程", "锂电池正极材料项目")  # last month's report still not submitted


@dataclass
class ProjectsResult:
    projects: int = 0
    per_stage: dict[str, int] = field(default_factory=dict)
    per_light: dict[str, int] = field(default_factory=dict)
    procedures: int = 0
    procedures_open: int = 0
    procedures_late: int = 0
    reports: int = 0
    reports_submitted: int = 0
    reports_overdue: int = 0
    problems: int = 0

    def describe(self) -> str:
        stages = "，".join(f"{Stage(s).label} {self.per_stage.get(s, 0)}" for s in Stage)
        light_words = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "灰灯"}
        per_light = "，".join(f"{word} {self.per_light.get(light, 0)}" for light, word in light_words.items())
        return (f"重点项目：{self.projects} 个，手续 {self.procedures} 项（未办结 {self.procedures_open} 项，超时限 {self.procedures_late} 项），"
                f"投资月报 {self.reports} 份（已报送 {self.reports_submitted} 份，逾期未报 {self.reports_overdue} 份），项目问题 {self.problems} 个。\n"
                f"  按阶段：{stages}\n  按亮灯：{per_light}")


class ProjectsDemo:
    """One load of the project ledger relative to `now`: the year is this year (last year in January and February,
    so that there is a year's history to show)."""

    def __init__(self, now: dt.datetime, seed: int = 9):
        self.now = now
        self.today = timezone.localdate(now)
        self.year = self.today.year if self.today.month >= 3 else self.today.year - 1
        self.first = calendar.next_workday(dt.date(self.year, 1, 5))
        self.last = calendar.add_workdays(self.today, -1)  # steps happen up to yesterday's office hours
        self.county_opened = self.at(self.first - dt.timedelta(days=7), 9)
        self.rng = random.Random(seed)
        self.numbers: Counter = Counter()
        # The months before the last three came in on the county's monthly sheet (imported by the project office);
        # from `live` on, the units report each month through the system.
        self.live = max(1, (self.today.month if self.today.year == self.year else 13) - 3)

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(min(hour, 17.5) * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=timezone.get_default_timezone())

    def day(self, month: int, day: int, year: int | None = None) -> dt.date:
        """That day, or the next working day if it is not one."""
        return calendar.next_workday(dt.date(year or self.year, month, min(day, 28)))

    def actor(self, login: str) -> Actor:
        return Actor(user=self.county.people[login], request_id=REQUEST_ID)

    # --- the story ------------------------------------------------------------------------------------

    def begin(self, county, timeline) -> None:
        self.county = county
        self.timeline = timeline
        ProcedureType.ensure_defaults()  # a database whose tables were emptied (a test's flush) has no templates
        self._put([(self.first, 8.2, self._set_handlers, "手续类型的办理单位")], "重点项目办")
        for month in range(self.live, 13):  # the worker opens each month's reports on its first working day
            opened = self.day(month, 1)
            if opened <= self.last:
                timeline.add(self.at(opened, 7.5), lambda on=opened: services.open_reports(on), f"{month}月投资月报进入报送期")
        for index, row in enumerate(PROJECTS):
            self._plan(index, row)
        for name, login, route, target, title, detail, back, taken in PROBLEMS:
            self._problem(name, login, route, target, title, detail, back, taken)

    def _put(self, steps, label: str) -> None:
        """The steps up to yesterday, in order (a step never before the one before it); a story stops at yesterday."""
        previous = None
        for on, hour, run, what in steps:
            if on > self.last:
                return
            moment = self.at(on, hour)
            if previous is not None and moment <= previous:
                moment = previous + dt.timedelta(minutes=7)
            self.timeline.add(moment, run, f"{label} {what}")
            previous = moment

    def _set_handlers(self) -> None:
        # There is no page for the procedure types yet: write the usual handling units here and audit them as a service would.
        actor = self.actor(OFFICE)
        for kind in ProcedureType.objects.filter(code__in=HANDLERS).order_by("sort"):
            before = audit.snapshot(kind)
            kind.default_unit = self.county.units[HANDLERS[kind.code]]
            kind.save(update_fields=["default_unit"])
            audit.record(actor, "procedure_type.edit", kind, before=before, after=audit.snapshot(kind),
                         message=f"手续类型“{kind.name}”的办理单位：{kind.default_unit}")

    def _plan(self, index: int, row) -> None:
        fate, name, investor, industry, project_type, level, total, unit, leader, township, site, content = row
        rng, state, steps = self.rng, {"name": name}, []
        total = Decimal(total)
        reporting = fate in ("prod0", "prod", "done", "cont", "build") or fate.startswith("prep")
        share = Decimal(str(rng.uniform(0.18, 0.4) if fate.startswith("prep") else rng.uniform(0.25, 0.5)))
        values = dict(name=name, investor=investor, industry=industry, project_type=project_type, level=level, total_investment=total,
                      annual_plan=(total * share).quantize(Decimal("1")) if reporting else Decimal("0"), lead_unit=self.county.units[unit],
                      leader_in_charge=self.county.people[leader], township=self.county.units[township], location=site, content=content,
                      contact_name=CONTACTS[index % len(CONTACTS)], contact_phone=f"1390000{index:04d}")
        liaison = f"{unit}_lly"

        def project() -> Project:
            return Project.objects.get(pk=state["pk"])

        def add(on: dt.date, hour: float, run, what: str) -> None:
            steps.append((on, hour, run, what))

        def create(stage: str, on: dt.date | None, *, by: str = OFFICE, procedures: bool = True, before: Decimal = Decimal("0")):
            def run():
                made = services.create_project(self.actor(by), stage=stage, stage_on=on, with_procedures=procedures,
                                               cumulative_before=before, **values)
                state["pk"] = made.pk
            return run

        def move(stage: str, by: str = OFFICE, note: str = ""):
            return lambda: services.move_stage(self.actor(by), project(), stage, note=note)

        # --- the stages: (day it happened, stage), and the history written for them ---
        entered = self.day(1, 6 + index % 4)
        reports_from, reports_until = None, None  # the days it entered and left the reporting stages
        if fate in ("prod0", "prod", "done", "cont"):
            began = dt.date(self.year - 1, 3 + index % 8, 10 + index % 15)
            before = (total * Decimal(str(rng.uniform(0.25, 0.6)))).quantize(Decimal("1"))
            stage, on = (Stage.COMPLETED, dt.date(self.year - 1, 11, 20)) if fate == "prod0" else (Stage.STARTED, began)
            add(entered, 9 + index % 8 * 0.9, create(stage, on, procedures=False, before=before), "录入项目（续建）")
            reports_from = entered
            if fate == "prod0":
                reports_until = self.day(1, 27)
                add(reports_until, 10, move(Stage.PRODUCING, liaison, "生产线试车成功，正式投产"), "投产")
            elif fate == "prod":
                done_on = self.day(4 + index % 3 * 2, 16)
                add(done_on, 10, move(Stage.COMPLETED, liaison, "通过竣工验收"), "竣工")
                reports_until = self.day(done_on.month + 3, 27)
                add(reports_until, 10, move(Stage.PRODUCING, liaison, "并网发电（正式运营）"), "投产")
            elif fate == "done":
                add(self.day(8 + index % 3 * 1, 14 + index % 3), 10, move(Stage.COMPLETED, liaison, "通过竣工验收"), "竣工")
        elif fate == "build" or fate.startswith("prep"):
            signed = dt.date(self.year - 1, 10 + index % 3, 8 + index % 12)
            add(entered, 9 + index % 8 * 0.9, create(Stage.SIGNED, signed), "录入项目（已签约）")
            preparing = self.day(1 if fate == "build" else 2 + index % 3, 12 + index % 10)
            add(preparing, 9.5, move(Stage.PREPARING), "进入前期手续")
            reports_from = preparing
            ready = self._procedures(steps, project, project_type, preparing, fate)
            if fate == "build" and ready is not None:
                add(calendar.add_workdays(ready, 2 + index % 4), 10, move(Stage.STARTED, liaison, "举行开工仪式"), "开工")
        else:  # the investment leads
            lead_on = self.day(index * 5 % 11 + 1, 8 + index % 17) if fate == "lead" else self.day(1 + index % 3, 5 + index % 20)
            by = "xianzhang" if leader == "xianzhang" else OFFICE
            add(lead_on, 10 + index % 6, create(Stage.LEAD, lead_on, by=by), "录入线索")
            if fate in ("talks", "signed", "stop"):
                talks = lead_on + dt.timedelta(days=20 + index % 5 * 9)
                add(calendar.next_workday(talks), 15, move(Stage.NEGOTIATING, note="投资方来县实地考察，进入实质性洽谈"), "在谈")
                if fate == "signed":
                    add(calendar.next_workday(talks + dt.timedelta(days=35 + index % 4 * 20)), 11, move(Stage.SIGNED, note="签订投资协议"), "签约")
                if fate == "stop":
                    reason = STOP_REASONS[index % 2]
                    add(calendar.next_workday(talks + dt.timedelta(days=60)), 16,
                        lambda: services.stop_project(self.actor(OFFICE), project(), reason=reason), "终止")
        if reporting:
            self._reports(steps, project, values["annual_plan"], liaison, name, reports_from, reports_until)
        self._put(sorted(steps, key=lambda s: (s[0], s[1])), f"项目 #{index + 1}")

    def _procedures(self, steps, project, project_type: str, preparing: dt.date, fate: str) -> dt.date | None:
        """The procedures' handling from the day the project entered 前期手续: each when what it waits for is
        done, closed in part of its limit (now and then past it); a `prep-<code>-<how>` project is held at <code>.
        Returns the day the last one closed (None when one is still open)."""
        rng = self.rng
        codes = [code for code, _n, _b, _d, types in DEFAULT_PROCEDURES if types == "*" or project_type in types.split(",")]
        held, how = (fate.split("-")[1], fate.split("-")[2]) if fate.startswith("prep") else ("", "")
        waived = {"energy"} if rng.random() < 0.4 else set()
        if project_type == "industrial" and rng.random() < 0.3:
            waived.add("land_expropriation")
        ends: dict[str, dt.date | None] = {}
        for code in codes:
            waiting = [ends.get(c, preparing) for c in AFTER[code] if c in codes]
            if code in waived and code != held:
                on = calendar.add_workdays(preparing, 1)
                steps.append((on, 11, self._waive(project, code), f"{code} 无需办理"))
                ends[code] = on
                continue
            if any(w is None for w in waiting):
                ends[code] = None  # waits for one still open: not started
                continue
            start = calendar.add_workdays(max(waiting, default=preparing), rng.randrange(1, 4))
            days = WORKDAYS[code]
            if code == held and how == "near":  # the limit falls two working days after today
                start = max(start, calendar.add_workdays(self.today, 2 - days))
            elif code == held and how == "fresh":
                start = max(start, calendar.add_workdays(self.today, -3))
            steps.append((start, 9.5, self._handle(project, code, "start"), f"{code} 启动办理"))
            if code == held:
                if how == "extend":
                    moved = calendar.add_workdays(self.today, -4)
                    if moved > start:
                        steps.append((moved, 15, self._extend(project, code, calendar.add_workdays(moved, 25)), f"{code} 调整时限"))
                ends[code] = None
                continue
            took = round(days * (rng.uniform(1.1, 1.4) if rng.random() < 0.15 else rng.uniform(0.3, 0.85)))
            ends[code] = calendar.add_workdays(start, max(1, took))
            steps.append((ends[code], 16, self._handle(project, code, "finish"), f"{code} 办结"))
        return None if any(e is None for e in ends.values()) else max(ends.values())

    def _procedure(self, project, code: str) -> Procedure:
        return Procedure.objects.select_related("project", "lead_unit").get(project=project(), procedure_type__code=code)

    def _handle(self, project, code: str, what: str):
        def run():
            procedure = self._procedure(project, code)
            actor = self.actor(f"{HANDLERS[code]}_lly")
            if what == "start":
                services.start_procedure(actor, procedure)
            else:
                self.numbers[code] += 1
                services.finish_procedure(actor, procedure, approval_no=APPROVAL_NO[code].format(y=self.year, n=self.numbers[code]))
        return run

    def _waive(self, project, code: str):
        return lambda: services.waive_procedure(self.actor(OFFICE), self._procedure(project, code), reason=WAIVERS[code])

    def _extend(self, project, code: str, due: dt.date):
        return lambda: services.extend_procedure(self.actor(OFFICE), self._procedure(project, code), due_date=due,
                                                 reason="涉及征收听证和出让公告期，经县重点项目办研究延长办理时限。")

    def _reports(self, steps, project, annual_plan: Decimal, liaison: str, name: str, since: dt.date, until: dt.date | None) -> None:
        """The year's plan by month (set by the unit when the project enters the reporting stages), and each month's
        report submitted by the unit's liaison before the report day — now and then a few days after it; last
        month's report of the OVERDUE projects never comes."""
        rng = self.rng
        months = [m for m in range(since.month, 13) if until is None or m <= until.month]
        weight = sum(SEASON[m - 1] for m in months)
        plans = {m: (annual_plan * SEASON[m - 1] / weight).quantize(Decimal("0.1")) for m in months}
        steps.append((since, 16.5, lambda: services.set_month_plans(self.actor(liaison), project(), self.year, plans), "月度计划投资"))
        previous = self.today.month - 1 if self.today.year == self.year else 12
        for n, month in enumerate(months):
            if name in OVERDUE and month == previous:
                continue
            report_day = services.report_day(self.year, month)
            late = rng.random() < 0.12 and (until is None or month != until.month)
            on = calendar.add_workdays(report_day, rng.randrange(1, 4)) if late else calendar.add_workdays(report_day, -rng.randrange(1, 7))
            if month == since.month:
                on = max(on, calendar.add_workdays(since, 1))
            completed = (plans[month] * Decimal(str(rng.uniform(0.7, 1.25)))).quantize(Decimal("0.1"))
            if month < self.live:  # the month's sheet, imported the working day after the report day
                on = calendar.add_workdays(report_day, 1)
            steps.append((on, 10 + rng.random() * 6, self._submit(project, month, completed, liaison, n), f"{month}月投资月报"))

    def _submit(self, project, month: int, completed: Decimal, liaison: str, n: int):
        def run():
            made = project()
            report = InvestmentReport.objects.get(project=made, year=self.year, month=month)
            if made.state in (Stage.PREPARING,):
                words = PREPARING_WORDS.format(done=Procedure.objects.filter(project=made, state=ProcedureState.DONE).count())
            else:
                words = PHASES[min(n, len(PHASES) - 1)]
            if month >= self.live:
                services.submit_report(self.actor(liaison), report, completed=completed, image_progress=words)
                return
            office = self.actor(OFFICE)
            kernel.perform(office, report, "import", kind=REPORT_KIND, text=f"按项目表导入：本月完成投资 {completed} 万元",
                           changes={"state": ReportState.SUBMITTED, "completed": completed, "image_progress": words,
                                    "submitted_at": timezone.now(), "submitted_by": office.user, "completed_on": services.today(),
                                    "closed_on": services.today()})
            services.retotal(made)
        return run

    def _problem(self, name, login, route, target, title, detail, back, taken) -> None:
        raised_on = calendar.add_workdays(self.last, -back)

        def raise_it():
            project = Project.objects.get(name=name)
            if route == ProblemRoute.TASK:
                from duban.ledger.models import Campaign

                campaign = Campaign.objects.filter(is_active=True).order_by("-id").first()
                if campaign is None:  # the demo loaded without the key-work campaign (a test of this story alone)
                    return
                services.raise_problem(self.actor(login), project, title=title, detail=detail, route=route, campaign=campaign,
                                       lead_unit=self.county.units[target], due_date=calendar.add_workdays(raised_on, 20))
            else:
                services.raise_problem(self.actor(login), project, title=title, detail=detail, route=route, category=target)

        steps = [(raised_on, 10, raise_it, "提出问题")]
        if taken:
            steps.append((calendar.add_workdays(raised_on, 1), 9.5, self._take_up(name, target), "受理并派单"))
        self._put(steps, f"项目“{name}”")

    def _take_up(self, name: str, category: str):
        def run():
            from duban.appeals import services as appeals

            problem = ProjectProblem.objects.select_related("appeal").get(project__name=name)
            unit = {"land": "ziran", "utilities": "gongdian"}.get(category, "shenpi")
            appeals.accept_appeal(self.actor(DESK), problem.appeal)
            appeals.dispatch_appeal(self.actor(DESK), problem.appeal, lead_unit=self.county.units[unit])
        return run

    # --- what was made ----------------------------------------------------------------------------------

    def settle(self) -> ProjectsResult:
        """This month's reports opened and every light recomputed for today (what the worker and the sweep do)."""
        services.open_reports(self.today)
        for key in (PROCEDURE_KEY, REPORT_KEY, PROJECT_KEY):
            lights.refresh_lights(registry.get(key), self.today)
        projects, procedures, reports = Project.objects.all(), Procedure.objects.all(), InvestmentReport.objects.all()
        open_procedures = procedures.filter(state__in=[ProcedureState.PENDING, ProcedureState.IN_PROGRESS])
        return ProjectsResult(
            projects=projects.count(), per_stage=dict(Counter(projects.values_list("state", flat=True))),
            per_light=dict(Counter(projects.values_list("light", flat=True))),
            procedures=procedures.count(), procedures_open=open_procedures.count(),
            procedures_late=open_procedures.filter(state=ProcedureState.IN_PROGRESS, due_date__lt=self.today).count(),
            reports=reports.exclude(state=ReportState.UPCOMING).count(), reports_submitted=reports.filter(state=ReportState.SUBMITTED).count(),
            reports_overdue=reports.filter(state=ReportState.DUE, due_date__lt=self.today).count(),
            problems=ProjectProblem.objects.count())


__all__ = ["ProjectsDemo"]
