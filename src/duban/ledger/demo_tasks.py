"""What the demo campaign holds: eight fronts (八条战线) and their tasks, in the words of the county speech.

Each task is a `Plan`: the five clarities as a county decomposition sheet words them, plus the demo's
`fate` — what has happened to it by today (see `ledger.demo`) — and a due date relative to today, so that
the demo looks alive whenever it is loaded:

    "y"      the campaign year's 31 December            "q3"   the end of the campaign year's 3rd quarter
    "m+2"    the end of the month two months from now   "m-1"  the end of last month
    "d+10"   ten days from today                        "soon" one to three working days from today
    "long"   长期坚持 (no due date)

Unit codes are those of `core.demo` (DEPARTMENTS, TOWNSHIPS).
"""

from __future__ import annotations

from dataclasses import dataclass

# The notice the speech names: tasks from the conference cite it as their source.
NOTICE = "县委办〔{year}〕8号《关于在全县开展执行力亮剑划分八条战线全力推进重点工作的通知》"

# (number, name, lead leaders (logins), lead unit (code), member units (codes), goal)
FRONTS = [
    (1, "招商引资战线", ["fxz_gongye", "changwu"], "shangwu",
     ["fagai", "gongxin", "ziran", "caizheng", "wenlv", "chengguan", "dongguan", "xihe"],
     "全力以赴招商引资，让更多大集团大企业入驻我县，让更多大项目好项目落户我县。"),
    (2, "项目建设战线", ["changwu"], "fagai",
     ["ziran", "zhujian", "shenpi", "huanjing", "gongdian", "jiaotong", "shuili", "tongji", "caizheng", "gongxin", "weijian"],
     "深入项目建设第一线、攻坚克难主战场，推动重点项目早开工、早投产、早见效。"),
    (3, "优化营商环境战线", ["changwu", "fxz_gongye"], "yingshang",
     ["shenpi", "shijian", "shuiwu", "gongan", "sifa", "caizheng", "gongdian", "gongxin", "fagai"],
     "为解决问题找出路，不为困难找理由，不让企业群众跑冤枉路，坚决破除“中梗阻”。"),
    (4, "土地手续办理战线", ["changwu", "fxz_chengjian"], "ziran",
     ["caizheng", "linye", "zhujian", "nongye", "jiaotong", "dongguan", "xihe", "nanling", "shiqiao", "beipo"],
     "加快土地手续办理，以地等项目，不让项目等土地。"),
    (5, "审批服务战线", ["changwu"], "shenpi",
     ["fagai", "ziran", "zhujian", "huanjing", "shijian", "gongdian"],
     "优化审批流程，服务经济发展，审批事项能简则简、能快则快。"),
    (6, "安全稳定战线", ["fxz_zhengfa"], "yingji",
     ["gongan", "linye", "zhujian", "jiaotong", "shijian", "ziran", "jiaoyu", "sifa", "shuili", "weijian"],
     "时刻绷紧安全这根弦，把维护好各领域安全稳定作为基础性、底线性工作抓实抓牢。"),
    (7, "乡村振兴战线", ["fxz_nongye"], "nongye",
     ["shuili", "linye", "renshe", "caizheng", "jiaotong", "minzheng", "liulin", "qingshan", "baishui", "yangzhuang", "xinji"],
     "沉底、问计、兴村、富企、安民，巩固拓展脱贫攻坚成果，全面推进乡村振兴。"),
    (8, "城市建设战线", ["fxz_chengjian", "fxz_wenjiao"], "zhujian",
     ["chengshi", "jiaotong", "huanjing", "jiaoyu", "weijian", "wenlv", "chengguan", "dongguan"],
     "建设新时代经济强县、品质县城，补齐城市基础设施和公共服务短板。"),
]

REWARDS = [
    "按期高质量完成的，年度目标责任考核加1分；逾期未完成的，每项扣2分，并约谈牵头单位主要负责人",
    "提前完成的加2分，按期完成的加1分；逾期未完成的扣3分，纳入执行力亮剑“黑榜”通报",
    "完成情况纳入年度综合考核；因工作不力造成严重后果的，按程序启动问责",
]

M25, WEEK5, QEND, HALF = "monthly:25", "weekly:5", "quarterly:0", "halfmonthly"


@dataclass(frozen=True)
class Plan:
    """One task of the demo ledger and what has happened to it by today."""

    front: int
    fate: str
    due: str
    lead: str
    title: str
    standard: str
    coop: tuple[str, ...] = ()
    kind: str = "general"
    cycle: str = M25
    goals: tuple[tuple[str, float, str], ...] = ()  # (what, target, unit) for the numbers in reports
    source: str = "meeting"
    assigned_by: str = ""  # a principal leader's login when the task comes from a 批示
    opened: int | None = None  # opened this many days before today (default: at the campaign's launch)
    parts: tuple[tuple[str, str], ...] = ()  # decomposed per unit: (unit code, fate); sub-tasks keep the due date
    new_lead: str = ""  # the unit a reassignment request suggests


def P(front, fate, due, lead, title, standard, **kw) -> Plan:
    kw["coop"] = tuple(kw.get("coop", "").split()) if isinstance(kw.get("coop", ""), str) else kw["coop"]
    return Plan(front, fate, due, lead, title, standard, **kw)


TOWNSHIP_FIRE = ("chengguan", "dongguan", "xihe", "nanling", "beipo", "shiqiao", "liulin", "qingshan", "baishui",
                 "yangzhuang", "xinji", "gaoling")

PLANS = [
    # --- 1 招商引资战线 -------------------------------------------------------------------------------
    P(1, "green", "y", "shangwu", "全年新签约亿元以上项目12个以上，协议引资60亿元以上",
      "围绕新材料、食品加工、文旅康养三大主导产业开展精准招商\n每季度至少签约亿元以上项目3个\n签约项目履约率达到80%以上",
      coop="gongxin fagai", kind="zhaoshang", goals=(("新签约亿元以上项目", 12, "个"), ("协议引资", 60, "亿元"))),
    P(1, "behind", "y", "shangwu", "开展驻点招商，在长三角、京津冀、粤港澳设立3个招商小分队",
      "每个小分队不少于3人，常驻时间全年不少于8个月\n每个驻点全年对接目标企业不少于30家\n每个驻点全年促成签约项目不少于2个",
      coop="gongxin", kind="zhaoshang", goals=(("对接目标企业", 90, "家"),)),
    P(1, "closed", "q3", "shangwu", "举办县域经济合作洽谈会暨重点项目集中签约活动",
      "活动方案报县委、县政府审定\n邀请客商不少于100人\n现场集中签约项目不少于10个，协议引资不少于30亿元",
      coop="gongxin wenlv", kind="zhaoshang"),
    P(1, "closed", "m-6", "fagai", "编制招商引资产业链图谱和招商地图",
      "梳理新材料、食品加工、文旅康养产业链上下游重点企业\n形成“一图一表一清单”\n印发各招商单位使用", kind="zhaoshang"),
    P(1, "green", "long", "fagai", "落实重点项目“一个项目、一名县级领导、一个工作专班”包抓机制",
      "每个亿元以上签约项目明确包抓县级领导和工作专班\n包抓领导每月至少到项目现场调度一次\n项目推进中的问题由专班在7个工作日内协调解决",
      kind="xiangmu"),
    P(1, "ahead", "y", "gongxin", "围绕龙头企业延链补链，引进新材料产业链配套企业5家以上",
      "梳理龙头企业配套需求清单\n引进配套企业5家以上，其中规模以上企业不少于2家\n引进的配套企业年内开工建设",
      kind="zhaoshang", goals=(("引进配套企业", 5, "家"),)),
    P(1, "overdue", "m-2", "ziran", "盘活闲置厂房和低效工业用地，以存量招增量",
      "摸清全县闲置厂房、低效用地底数，建立盘活台账\n通过招商盘活闲置厂房不少于5万平方米\n处置低效工业用地不少于300亩",
      coop="gongxin", kind="tudi", goals=(("盘活闲置厂房", 5, "万平方米"), ("处置低效工业用地", 300, "亩"))),
    P(1, "green", "y", "shangwu", "推动已签约项目落地开工，签约项目开工率达到60%以上",
      "建立签约项目落地跟踪台账，逐项明确责任单位\n每月调度一次签约项目前期手续办理情况\n签约项目开工率达到60%以上",
      coop="fagai ziran shenpi", kind="zhaoshang"),
    P(1, "silent", "y", "shangwu", "实际利用省外资金45亿元、外资1200万美元，完成市下达任务",
      "全年实际利用省外资金不少于45亿元\n实际利用外资不少于1200万美元\n每月5日前报送到位资金统计",
      kind="zhaoshang", goals=(("实际利用省外资金", 45, "亿元"),)),
    P(1, "closed_return", "m-3", "gongxin", "举办在外乡贤回乡投资对接会",
      "建立在外乡贤和企业家人才库\n举办回乡投资对接会1场以上\n促成乡贤回乡投资项目3个以上", kind="zhaoshang"),
    P(1, "green", "y", "dongguan", "东关镇依托食品产业园招商，到位资金3亿元以上",
      "依托食品产业园开展产业链招商\n全年引进项目不少于3个\n到位资金不少于3亿元",
      kind="zhaoshang", goals=(("到位资金", 3, "亿元"),)),
    P(1, "requested", "m+1", "wenlv", "引进文旅康养项目2个以上",
      "围绕景区提升和康养小镇开展专题招商\n签约文旅康养项目2个以上\n至少1个项目年内开工", kind="zhaoshang"),
    P(1, "closed", "m-5", "caizheng", "兑现上年度招商引资奖励资金",
      "按照招商引资奖励办法审核奖励对象\n奖励资金足额兑现到位\n兑现结果向社会公示", kind="yingshang"),
    P(1, "suspended", "y", "fagai", "推进10万千瓦储能电站项目签约落地",
      "完成项目投资协议谈判\n签订正式投资协议\n完成项目备案", kind="zhaoshang"),
    P(1, "cancelled", "y", "shangwu", "引进年产10万吨冷链物流园项目",
      "完成项目洽谈和考察\n签订投资协议\n年内开工建设", kind="zhaoshang"),
    P(1, "assigned", "m+2", "xihe", "落实县委书记批示，做好新材料产业园扩区项目招商对接",
      "与意向企业开展面对面洽谈\n形成项目落地方案报县委、县政府\n批示事项办理情况按月报送",
      kind="zhaoshang", source="instruction", assigned_by="shuji", opened=2),

    # --- 2 项目建设战线 -------------------------------------------------------------------------------
    P(2, "green", "y", "fagai", "全县42个省市重点项目完成年度投资计划",
      "全年完成投资85亿元以上\n42个项目全部开工，年内竣工12个\n每月10日前调度项目进度，形成项目推进台账",
      coop="tongji caizheng", kind="xiangmu", goals=(("完成投资", 85, "亿元"),)),
    P(2, "closed", "q3", "fagai", "争取中央预算内投资和地方政府专项债券资金",
      "全年申报专项债券项目不少于15个\n争取专项债券资金不少于8亿元\n争取中央预算内投资不少于2亿元",
      coop="caizheng", kind="xiangmu"),
    P(2, "closed_late", "m-5", "gongxin", "食品产业园二期6月底前开工建设",
      "完成项目立项、规划、环评等前期手续\n完成施工图设计和施工招标\n主体工程开工建设",
      coop="ziran shenpi huanjing", kind="xiangmu"),
    P(2, "green", "y", "zhujian", "县城供水管网改造工程完成年度建设任务",
      "改造老旧供水管网25公里\n新建加压泵站1座\n完成通水试验", kind="chengjian", goals=(("改造供水管网", 25, "公里"),)),
    P(2, "extended", "m-1", "jiaotong", "G241国道县城过境段改线工程完成路基施工",
      "完成路基土石方工程\n完成桥涵工程8座\n路基施工段通过交工验收",
      coop="ziran", kind="xiangmu", goals=(("完成路基土石方", 120, "万立方米"),)),
    P(2, "soon", "soon", "gongdian", "110千伏西河输变电工程建成投运",
      "完成变电站土建和电气安装\n完成线路架设18公里\n通过验收并带电投运", kind="xiangmu"),
    P(2, "green", "long", "fagai", "开展重点项目“三个一批”活动",
      "每季度集中签约一批、开工一批、投产一批\n每季度组织一次集中开工活动\n活动项目全部纳入县重点项目台账管理",
      cycle=QEND, kind="xiangmu"),
    P(2, "behind", "y", "fagai", "谋划储备亿元以上项目50个以上",
      "围绕国家政策投向谋划储备项目\n储备亿元以上项目50个以上，总投资300亿元以上\n完成可研编制的项目不少于20个",
      kind="xiangmu", goals=(("储备亿元以上项目", 50, "个"),)),
    P(2, "closed", "m-2", "gongxin", "建成标准化厂房10万平方米",
      "完成厂房主体和配套工程\n通过竣工验收\n厂房招商入驻率达到50%以上", kind="xiangmu"),
    P(2, "green", "y", "zhujian", "县城污水处理厂提标改造工程完工",
      "完成深度处理工艺改造\n出水水质稳定达到一级A标准\n通过环保验收", coop="huanjing", kind="chengjian"),
    P(2, "paused", "m+2", "weijian", "县人民医院新院区门诊楼、住院楼主体封顶",
      "完成门诊楼、住院楼主体工程\n完成年度投资3亿元\n完成室外管网配套", kind="xiangmu", goals=(("完成投资", 3, "亿元"),)),
    P(2, "closed", "m-5", "shuili", "清水河中小河流治理工程汛前完工",
      "完成河道治理12公里\n完成护岸和堤防工程\n主汛期前完工并通过验收", kind="xiangmu"),
    P(2, "requested", "y", "tongji", "新入统固定资产投资项目30个以上",
      "建立入统项目储备库\n按月做好项目入统申报\n全年新入统项目30个以上",
      kind="xiangmu", goals=(("新入统项目", 30, "个"),)),
    P(2, "ahead", "y", "gongxin", "实施工业技术改造项目20个",
      "建立技改项目库\n20个技改项目全部开工\n完成技改投资15亿元", kind="xiangmu", goals=(("开工技改项目", 20, "个"),)),
    P(2, "overdue", "m-1", "fagai", "6万千瓦光伏发电项目并网发电",
      "完成升压站建设\n完成光伏组件安装\n实现全容量并网发电", coop="gongdian", kind="xiangmu"),
    P(2, "ext_pending", "m-1", "jiaotong", "县城至西河镇公路改建工程完工通车",
      "完成路面工程18公里\n完成交通安全设施\n通过交工验收并通车", coop="xihe", kind="xiangmu"),

    # --- 3 优化营商环境战线 ---------------------------------------------------------------------------
    P(3, "closed", "m-6", "shijian", "企业开办时间压缩至1个工作日以内",
      "企业开办全程网上办理\n营业执照、公章刻制、发票申领一日办结\n新开办企业免费刻制公章", kind="shenpi"),
    P(3, "green", "y", "gongxin", "落实县级领导包联企业制度，企业诉求办结率达到98%以上",
      "县级领导每人包联重点企业不少于3家\n每月至少走访包联企业一次\n企业诉求5个工作日内答复，办结率98%以上",
      kind="yingshang", goals=(("办结企业诉求", 180, "件"),)),
    P(3, "behind", "y", "caizheng", "清理拖欠民营企业中小企业账款",
      "摸清政府部门和国有企业拖欠账款底数\n制定清偿计划，年底前清偿比例达到90%\n建立防止拖欠长效机制",
      kind="yingshang", goals=(("清偿拖欠账款", 12000, "万元"),)),
    P(3, "closed_return", "m-3", "sifa", "推行涉企行政执法“首违不罚”“轻微免罚”清单",
      "梳理各执法部门首违不罚、轻微免罚事项\n清单向社会公布\n开展涉企执法检查专项监督", kind="yingshang"),
    P(3, "green", "y", "caizheng", "推行惠企政策“免申即享”",
      "梳理可“免申即享”的惠企政策不少于20项\n通过大数据比对主动兑现\n兑现资金直达企业账户",
      coop="gongxin shuiwu", kind="yingshang", goals=(("上线“免申即享”政策", 20, "项"),)),
    P(3, "closed", "m-4", "shuiwu", "推行非接触式办税，网上办税率达到95%以上",
      "主要涉税事项全部实现网上办理\n网上办税率达到95%以上\n纳税人满意度不低于95%", kind="shenpi"),
    P(3, "green", "y", "gongdian", "低压小微企业办电“三零”服务全覆盖",
      "160千瓦及以下小微企业办电零上门、零审批、零投资\n办电时间压缩至15个工作日以内\n接电满意率100%", kind="shenpi"),
    P(3, "returned", "y", "zhujian", "用水用气报装提速，推行水电气联合报装",
      "用水报装时间压缩至5个工作日\n用气报装时间压缩至7个工作日\n推行水电气联合报装“一表申请”",
      coop="gongdian", kind="shenpi"),
    P(3, "ahead", "y", "shenpi", "政务服务“好差评”全覆盖，差评整改率100%",
      "政务服务事项“好差评”覆盖率100%\n差评在3个工作日内回访整改\n每月通报评价结果", kind="shenpi"),
    P(3, "silent", "y", "gongan", "开展“护企安商”专项行动",
      "建立重点企业警务联络员制度\n依法打击强揽工程、阻工扰企违法行为\n涉企警情24小时内处置", kind="anquan"),
    P(3, "green", "y", "caizheng", "组织银企对接会4场，新增中小微企业贷款10亿元",
      "每季度组织银企对接会1场\n建立企业融资需求清单\n新增中小微企业贷款10亿元以上",
      kind="yingshang", goals=(("新增中小微企业贷款", 10, "亿元"),)),
    P(3, "closed", "m-3", "fagai", "开展信用修复专项行动", "梳理失信企业名单\n主动告知并指导信用修复\n符合条件的企业修复率100%",
      kind="yingshang"),
    P(3, "requested", "m+1", "shijian", "企业登记“全程电子化”率达到90%以上",
      "推行企业登记全程电子化\n电子营业执照应用覆盖主要办事场景\n全程电子化率达到90%以上", kind="shenpi"),
    P(3, "draft", "y", "", "开展营商环境“中梗阻”问题专项整治",
      "", kind="yingshang", opened=6),
    P(3, "reassign_rejected", "y", "shijian", "清理规范涉企收费，坚决查处乱收费",
      "梳理涉企收费目录清单并向社会公布\n开展涉企收费专项检查\n查处乱收费行为，违规收费全部退还",
      kind="yingshang", new_lead="fagai"),
    P(3, "soon", "soon", "shenpi", "完成本年度营商环境自评估",
      "对照省营商环境评价指标逐项自评\n形成自评估报告和问题清单\n报县委、县政府审定", kind="shenpi"),

    # --- 4 土地手续办理战线 ---------------------------------------------------------------------------
    P(4, "closed", "m-5", "ziran", "完成本年度第一批次城镇建设用地报批",
      "完成勘测定界和土地权属调查\n完成征收土地前期工作和社会稳定风险评估\n组卷报省自然资源厅审批", kind="tudi"),
    P(4, "paused", "m+1", "ziran", "完成本年度第二批次城镇建设用地报批",
      "完成勘测定界和土地权属调查\n完成征收土地前期工作\n取得省政府用地批复", kind="tudi"),
    P(4, "split", "m-1", "jiaotong", "G241国道改线工程征地拆迁",
      "完成征地红线内入户调查和地上附着物清点\n签订征收补偿协议，补偿款足额兑付到户\n交付施工用地",
      coop="ziran caizheng", kind="zhengdi",
      parts=(("xihe", "closed"), ("nanling", "overdue"), ("shiqiao", "extended"))),
    P(4, "green", "y", "dongguan", "食品产业园二期征收土地600亩",
      "完成土地征收公告和补偿登记\n签订征地补偿协议\n交付净地600亩",
      coop="ziran caizheng", kind="zhengdi", goals=(("签订征地补偿协议", 600, "亩"),)),
    P(4, "behind", "y", "ziran", "完成国有建设用地供应1500亩",
      "编制年度供地计划\n完成国有建设用地供应1500亩以上\n工业用地供应占比不低于40%",
      kind="tudi", goals=(("供应国有建设用地", 1500, "亩"),)),
    P(4, "overdue", "m-1", "ziran", "处置批而未供土地800亩、闲置土地200亩",
      "逐宗分析批而未供和闲置原因\n处置批而未供土地800亩\n处置闲置土地200亩",
      kind="tudi", goals=(("处置批而未供土地", 800, "亩"),)),
    P(4, "closed", "m-2", "ziran", "落实耕地占补平衡，完成补充耕地项目验收",
      "实施补充耕地项目3个\n新增耕地1200亩\n通过省级验收并入库", coop="nongye", kind="tudi"),
    P(4, "green", "long", "ziran", "推行“交地即交证”“交房即交证”",
      "工业项目签订出让合同并缴清价款后当日领证\n新建商品房交房即交证\n不动产登记一般业务3个工作日内办结", kind="shenpi"),
    P(4, "requested", "m+1", "ziran", "完成12个乡镇国土空间规划编制",
      "完成乡镇国土空间规划成果编制\n通过专家评审\n成果纳入国土空间规划“一张图”", kind="tudi"),
    P(4, "closed_late", "m-3", "linye", "办理重点项目使用林地审核手续",
      "梳理重点项目使用林地需求\n完成林地可行性报告编制\n取得使用林地审核同意书", kind="tudi"),
    P(4, "green", "y", "caizheng", "及时足额拨付土地征收补偿款",
      "补偿款在征收协议签订后30日内拨付到位\n建立补偿款拨付台账\n不发生因补偿款拖欠引发的信访问题", kind="zhengdi"),
    P(4, "ahead", "y", "ziran", "工业用地“标准地”出让占比达到50%以上",
      "制定“标准地”控制性指标体系\n新出让工业用地按“标准地”出让\n“标准地”出让占比达到50%以上", kind="tudi"),
    P(4, "silent", "y", "ziran", "开展卫片执法，新增违法用地整改到位",
      "逐图斑核查卫片下发图斑\n新增违法用地全部立案查处\n整改到位率100%", coop="xihe nanling", kind="tudi"),
    P(4, "ext_rejected", "m-1", "beipo", "北坡乡完成光伏项目用地组卷",
      "完成项目用地勘测定界\n完成用地组卷\n报县自然资源局审查", coop="ziran", kind="tudi"),
    P(4, "assigned", "m+2", "ziran", "落实县长批示，办理新材料产业园扩区用地预审",
      "完成扩区范围用地预审材料\n报市自然资源和规划局审查\n取得用地预审意见",
      kind="tudi", source="instruction", assigned_by="xianzhang", opened=1),

    # --- 5 审批服务战线 -------------------------------------------------------------------------------
    P(5, "green", "y", "shenpi", "工程建设项目审批全流程压缩至80个工作日以内",
      "梳理工程建设项目审批事项和流程\n推行并联审批、联合审图、联合验收\n全流程审批时间压缩至80个工作日以内",
      coop="zhujian ziran huanjing", kind="shenpi"),
    P(5, "closed", "m-4", "shenpi", "推行“拿地即开工”审批模式",
      "制定“拿地即开工”工作方案\n土地出让前完成设计方案审查\n至少3个项目实现“拿地即开工”", coop="ziran zhujian", kind="shenpi"),
    P(5, "ahead", "y", "shenpi", "政务服务事项网上可办率达到95%以上",
      "梳理政务服务事项清单\n推动事项进驻一体化政务服务平台\n网上可办率达到95%以上", kind="shenpi"),
    P(5, "split_closed", "m-2", "shenpi", "乡镇便民服务中心规范化建设",
      "按标准设置综合受理窗口\n进驻事项不少于60项\n推行“一窗受理、集成服务”", kind="shenpi",
      parts=(("beipo", "closed"), ("qingshan", "closed"), ("yangzhuang", "closed_return"), ("gaoling", "closed"))),
    P(5, "closed", "m-3", "huanjing", "环评审批时限压缩至法定时限一半以内",
      "编制报告书项目审批时限压缩至30日\n编制报告表项目审批时限压缩至15日\n推行环评告知承诺制", kind="shenpi"),
    P(5, "green", "y", "fagai", "企业投资项目备案1个工作日内办结",
      "项目备案全程网上办理\n备案1个工作日内办结\n每月通报办理情况", kind="shenpi"),
    P(5, "returned", "y", "zhujian", "推行施工图审查“多审合一”联合审查",
      "消防、人防、技防审查并入施工图审查\n联合审查时限压缩至10个工作日\n审查结果互认共享", kind="shenpi"),
    P(5, "behind", "y", "shenpi", "推行容缺受理和告知承诺制，覆盖事项不少于100项",
      "梳理容缺受理事项清单\n梳理告知承诺事项清单\n两项清单事项合计不少于100项",
      kind="shenpi", goals=(("纳入容缺受理和告知承诺的事项", 100, "项"),)),
    P(5, "requested", "m+1", "shenpi", "上线“高效办成一件事”重点事项13项",
      "梳理“一件事”办事流程\n实现一次告知、一表申请、一套材料\n13项“一件事”全部上线运行", kind="shenpi"),
    P(5, "overdue", "m-1", "shenpi", "水电气暖网报装“一件事”联办",
      "建立水电气暖网联合报装窗口\n实现一次申请、并联办理\n报装时间压缩50%以上", coop="gongdian zhujian", kind="shenpi"),
    P(5, "green", "long", "shenpi", "组建重点项目帮办代办队伍，实行全程帮办代办",
      "每个重点项目明确帮办代办专员\n审批手续全程代办\n帮办代办情况每月通报", kind="shenpi"),
    P(5, "closed_late", "m-2", "zhujian", "推行工程建设项目竣工联合验收",
      "制定联合验收实施办法\n实行“一口受理、联合勘验、限时办结”\n联合验收时限压缩至10个工作日", kind="shenpi"),
    P(5, "draft", "m+3", "shenpi", "开展审批服务“体验官”活动",
      "邀请企业代表和群众担任体验官\n全流程体验办事过程\n体验发现的问题限时整改", kind="shenpi", opened=4),
    P(5, "soon", "soon", "huanjing", "完成排污许可证年度核发和执行报告审核",
      "完成排污许可证到期延续核发\n审核企业年度执行报告\n对未按证排污的企业依法处理", kind="anquan"),

    # --- 6 安全稳定战线 -------------------------------------------------------------------------------
    P(6, "split", "m+6", "linye", "落实秋冬季森林防火各项措施，确保不发生森林火灾",
      "防火瞭望点、进山卡口和视频监控专人值班值守\n护林员、防火公益岗上岗巡护\n农村大喇叭、宣传车每日宣传，防火明白纸张贴到户\n专业扑火队开展实战演练",
      coop="yingji gongan", kind="fanghuo", cycle=WEEK5, opened=55,
      parts=tuple((code, fate) for code, fate in zip(TOWNSHIP_FIRE, (
          "green", "green", "silent", "green", "green", "behind", "green", "green", "silent", "green", "green", "ahead"), strict=False))),
    P(6, "split", "m-1", "zhujian", "开展城镇燃气安全专项排查整治",
      "建立燃气经营企业和用户台账\n对餐饮场所、老旧小区燃气设施逐户排查\n发现隐患全部整改销号",
      coop="shijian yingji", kind="ranqi", cycle=HALF, opened=120,
      parts=(("chengguan", "closed"), ("dongguan", "closed"), ("xihe", "overdue"), ("nanling", "ext_pending"),
             ("shiqiao", "closed_return"), ("liulin", "extended"))),
    P(6, "green", "y", "yingji", "持续排查整治“三合一”场所",
      "对“三合一”场所逐一登记建档\n发现隐患限期整改\n整改不到位的依法关停",
      coop="chengguan dongguan", kind="anquan", goals=(("排查“三合一”场所", 600, "处"),)),
    P(6, "green", "y", "zhujian", "开展建筑施工安全专项整治",
      "对在建工地全覆盖检查\n重点整治深基坑、高支模、起重机械\n隐患整改率100%", kind="anquan"),
    P(6, "behind", "y", "gongan", "开展道路交通安全“两客一危”重点车辆整治",
      "“两客一危”车辆动态监控全覆盖\n查处超速、疲劳驾驶等违法行为\n不发生较大以上道路交通事故",
      coop="jiaotong", kind="anquan", goals=(("检查重点车辆", 2400, "辆次"),)),
    P(6, "closed", "m-2", "shijian", "开展食品药品安全“守底线、查隐患、保安全”专项行动",
      "对学校食堂、农村集体聚餐全覆盖检查\n开展食品抽检不少于1200批次\n药品经营使用单位检查全覆盖", kind="anquan"),
    P(6, "ahead", "y", "yingji", "工矿商贸企业“双控”体系建设覆盖率达到100%",
      "指导企业开展风险辨识和分级管控\n建立隐患排查治理台账\n重点企业“双控”体系建设覆盖率100%", kind="anquan"),
    P(6, "green", "long", "ziran", "严厉打击非法盗采矿石砂石资源行为",
      "乡镇执法队开展一线巡查\n部门联合执法，依法查处非法盗采案件\n对视而不见、包庇纵容、参与入股的顶格处理",
      coop="gongan", kind="anquan"),
    P(6, "closed", "m-3", "shuili", "做好汛期防汛工作，确保安全度汛",
      "修订完善防汛应急预案\n排查整治病险水库和河道隐患\n汛期24小时值班值守", kind="anquan"),
    P(6, "green", "long", "sifa", "深化矛盾纠纷排查化解",
      "每月开展一次矛盾纠纷集中排查\n重点矛盾纠纷落实包案领导\n矛盾纠纷化解率95%以上", kind="anquan"),
    P(6, "closed", "m-4", "jiaoyu", "开展校园安全隐患排查整治",
      "对全县中小学、幼儿园全覆盖排查\n校舍、消防、食堂隐患全部整改\n校园“一键报警”全覆盖", kind="anquan"),
    P(6, "overdue", "m-1", "zhujian", "农村自建房安全隐患整治销号",
      "完成农村经营性自建房排查\n存在安全隐患的自建房落实管控措施\nC、D级危房全部整治销号",
      coop="beipo qingshan", kind="anquan", goals=(("整治销号危房", 320, "户"),)),
    P(6, "soon", "soon", "yingji", "完成冬季安全生产大检查",
      "制定冬季安全生产大检查方案\n对重点行业领域企业全覆盖检查\n形成检查报告和隐患清单", kind="anquan"),
    P(6, "requested", "m+1", "weijian", "医疗机构消防安全隐患整改",
      "对医疗机构消防设施全面检查\n整改疏散通道、电气线路隐患\n开展消防演练", kind="anquan"),
    P(6, "suspended", "y", "yingji", "建设县应急指挥中心",
      "完成项目立项和初步设计\n完成主体建设\n接入省市应急指挥平台", kind="xiangmu"),
    P(6, "draft", "m+2", "yingji", "开展冬春火灾防控专项行动",
      "对人员密集场所开展消防检查\n清理楼道堆物和电动车违规充电\n开展消防宣传进社区", kind="anquan", opened=3),

    # --- 7 乡村振兴战线 -------------------------------------------------------------------------------
    P(7, "split", "y", "nongye", "新建高标准农田3万亩",
      "完成项目规划设计和招投标\n完成田块整治、灌溉排水、田间道路建设\n通过县级验收并上图入库",
      coop="shuili caizheng", kind="xiangcun",
      parts=(("liulin", "green"), ("qingshan", "behind"), ("baishui", "closed"), ("yangzhuang", "green"), ("xinji", "silent"))),
    P(7, "green", "long", "nongye", "巩固拓展脱贫攻坚成果，守住不发生规模性返贫底线",
      "落实防止返贫动态监测和帮扶机制\n监测对象帮扶措施落实率100%\n每月开展一次风险排查", kind="xiangcun"),
    P(7, "green", "y", "nongye", "粮食播种面积稳定在52万亩以上",
      "落实粮食生产目标责任\n推广良种良法\n粮食播种面积稳定在52万亩以上",
      kind="xiangcun", goals=(("落实粮食播种面积", 52, "万亩"),)),
    P(7, "closed", "m-2", "shuili", "实施农村饮水安全巩固提升工程",
      "新建改造集中供水工程15处\n改造供水管网80公里\n农村自来水普及率达到95%", kind="xiangcun"),
    P(7, "behind", "y", "renshe", "脱贫劳动力务工就业规模不低于上年",
      "开展脱贫劳动力技能培训\n组织劳务输出和就近就业\n脱贫劳动力务工就业不少于2.6万人",
      kind="xiangcun", goals=(("脱贫劳动力务工就业", 2.6, "万人"),)),
    P(7, "ahead", "y", "nongye", "发展中药材、食用菌特色产业",
      "新发展中药材种植1万亩\n新建食用菌大棚200座\n培育龙头企业3家", kind="xiangcun",
      goals=(("新发展中药材", 1, "万亩"), ("新建食用菌大棚", 200, "座"))),
    P(7, "overdue", "m-1", "nongye", "完成农村卫生厕所改造5000户",
      "完成改厕任务分解和摸底\n完成改厕5000户\n建立厕所粪污收运管护机制",
      kind="xiangcun", goals=(("完成改厕", 5000, "户"),)),
    P(7, "green", "y", "jiaotong", "建设“四好农村路”120公里",
      "完成农村公路新改建120公里\n完成危桥改造10座\n落实农村公路管护责任", kind="xiangcun", goals=(("新改建农村公路", 120, "公里"),)),
    P(7, "closed_return", "m-2", "linye", "完成国土绿化造林2万亩",
      "落实造林地块和苗木\n完成造林2万亩\n造林成活率达到85%以上", kind="xiangcun"),
    P(7, "reassigned", "y", "nongye", "建设农村互助幸福院20个",
      "完成幸福院选址和建设方案\n建成农村互助幸福院20个\n建立运营管理机制",
      kind="xiangcun", new_lead="minzheng", goals=(("建成互助幸福院", 20, "个"),)),
    P(7, "green", "y", "liulin", "柳林镇创建美丽乡村示范村5个",
      "编制示范村建设规划\n完成村庄环境整治和公共设施配套\n5个村通过县级验收", kind="xiangcun"),
    P(7, "requested", "m+1", "nongye", "打造农产品区域公用品牌",
      "完成区域公用品牌注册和标识设计\n授权使用企业不少于20家\n参加农产品展销活动不少于3次", kind="xiangcun"),
    P(7, "cancelled", "m+2", "shuili", "建设乡村水利风景区",
      "完成景区规划编制\n完成水系连通和景观工程\n申报省级水利风景区", kind="xiangcun"),
    P(7, "draft", "y", "nongye", "开展农村人居环境整治“百日攻坚”",
      "集中清理村庄垃圾、杂物和残垣断壁\n整治房前屋后“脏乱差”\n建立村庄保洁长效机制", kind="xiangcun", opened=5),
    P(7, "silent", "y", "nongye", "发展壮大村级集体经济",
      "每村制定集体经济发展计划\n集体经济收入10万元以上的村占比达到60%\n全面消除集体经济收入5万元以下的村", kind="xiangcun"),

    # --- 8 城市建设战线 -------------------------------------------------------------------------------
    P(8, "green", "y", "zhujian", "完成28个老旧小区改造",
      "完成水电气暖管网和屋面防水改造\n完成小区道路、绿化、照明提升\n建立小区长效管理机制",
      kind="chengjian", goals=(("完成改造老旧小区", 28, "个"),)),
    P(8, "closed", "d-12", "zhujian", "做好冬季供热保障，确保按时供暖",
      "完成供热管网检修和换热站调试\n落实供热燃料储备\n按时启动供暖，室温达标", kind="chengjian"),
    P(8, "behind", "y", "zhujian", "实施县城雨污分流改造12公里",
      "完成雨污分流管网改造12公里\n消除城区黑臭水体\n完成道路恢复", coop="chengshi",
      kind="chengjian", goals=(("完成雨污分流改造", 12, "公里"),)),
    P(8, "green", "long", "chengshi", "整治“马路市场”和占道经营，推进城市管理精细化",
      "规划设置便民疏导点\n对重点路段实行定人定岗定责\n占道经营问题发现即处置", kind="chengjian"),
    P(8, "ahead", "y", "chengshi", "生活垃圾分类示范小区覆盖率达到60%",
      "配齐分类投放收集设施\n开展垃圾分类宣传入户\n示范小区覆盖率达到60%", kind="chengjian"),
    P(8, "overdue", "m-1", "huanjing", "完成散煤清洁取暖替代8000户",
      "完成清洁取暖改造户摸底\n完成“煤改电”“煤改气”8000户\n落实清洁取暖补贴",
      coop="gongdian", kind="chengjian", goals=(("完成清洁取暖替代", 8000, "户"),)),
    P(8, "green", "m+9", "jiaoyu", "县第三中学新校区建成并投入使用",
      "完成教学楼、宿舍楼主体工程\n完成室外配套和设备采购\n秋季开学前投入使用", kind="xiangmu"),
    P(8, "requested", "m+1", "jiaoyu", "新建、改扩建公办幼儿园4所",
      "完成幼儿园建设和设施配备\n办理办园许可\n新增公办学位1200个", kind="chengjian"),
    P(8, "extended", "m-1", "wenlv", "创建国家4A级旅游景区",
      "完成景区基础设施和服务设施提升\n通过省级景观质量评审\n通过国家4A级景区验收", kind="xiangmu"),
    P(8, "closed", "m-3", "chengshi", "城区新增公共停车泊位1500个",
      "利用边角地建设停车场\n施划路内停车泊位\n新增公共停车泊位1500个", kind="chengjian"),
    P(8, "returned", "y", "chengguan", "城关镇城中村改造",
      "完成3个城中村改造征收\n启动安置房建设\n做好群众过渡安置", coop="zhujian", kind="zhengdi"),
    P(8, "reassign_pending", "m+3", "chengshi", "整治城区违法建设，新增违建“零增长”",
      "对城区违法建设全面摸排\n新增违建发现即拆除\n存量违建分类处置", kind="chengjian", new_lead="ziran", opened=8),
    P(8, "silent", "y", "zhujian", "县城主干道“白改黑”及亮化提升",
      "完成主干道沥青路面改造15公里\n更换路灯1200盏\n完成交通标志标线", coop="jiaotong", kind="chengjian"),
    P(8, "closed", "m-2", "chengshi", "县城新增公园绿地8万平方米",
      "建设口袋公园10个\n新增公园绿地8万平方米\n完成绿化养护移交", kind="chengjian"),
    P(8, "ext_pending", "m-1", "weijian", "县中医院改扩建工程投入使用",
      "完成住院楼改扩建主体和装修\n完成医疗设备安装调试\n通过验收并投入使用", kind="xiangmu"),
    P(8, "paused_resumed", "y", "zhujian", "县城棚户区改造安置房建设",
      "完成安置房主体工程1200套\n完成配套基础设施\n年底前具备交房条件", kind="chengjian"),
]

# --- what the units write in their reports, by kind of work ------------------------------------------
# phases: what was done, by how far along the task is (under 30%, under 70%, under 100%, done).


@dataclass(frozen=True)
class Words:
    phases: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    problems: tuple[str, ...]
    next_steps: tuple[str, ...]
    delay: str  # why an extension is asked for


WORDS = {
    "zhaoshang": Words(
        (("制定招商工作方案，梳理目标企业清单，明确专班人员和责任分工", "召开招商专班推进会，建立招商项目台账"),
         ("赴长三角、京津冀开展驻点招商，对接重点企业并邀请来县考察", "跟踪推进在谈项目，就投资协议条款进行多轮磋商"),
         ("推动在谈项目加快签约，对已签约项目开展履约跟踪", "协调解决签约项目落地中的用地、资金问题"),
         ("目标任务已全部完成，项目资料已整理归档", "各项指标全部完成，签约项目全部进入落地程序")),
        ("部分在谈项目投资方决策周期长，签约进度慢于预期", "标准化厂房不足，承接项目落地能力有限",
         "招商专业人员力量不足，精准对接能力有待提升", "个别签约项目资金到位慢"),
        ("继续开展驻点招商，力争下月再签约项目2个", "加强与在谈企业高层对接，推动尽快签约",
         "对签约项目逐一明确包抓领导，推动早落地", "梳理下季度招商活动计划"),
        "投资方内部决策程序尚未完成"),
    "xiangmu": Words(
        (("完成项目可研和初步设计批复，正在办理施工许可", "完成施工招标，施工单位已进场"),
         ("主体工程加快施工，现场投入机械20台、工人150人", "完成基础工程，主体结构施工过半"),
         ("主体工程基本完成，正在进行附属工程和设备安装", "完成主要工程量，正在开展竣工验收准备"),
         ("工程已完工并通过验收", "项目已建成投用，竣工资料已归档")),
        ("受雨季影响，土方施工进度滞后", "项目资金到位不足，影响施工进度", "施工用电接入尚未完成",
         "个别地块征迁未完成，影响施工作业面"),
        ("倒排工期、挂图作战，确保节点目标完成", "协调供电公司加快施工用电接入", "加快资金拨付，保障项目建设",
         "增加施工班组，实行两班倒作业"),
        "受上级资金下达时间影响，工期顺延"),
    "yingshang": Words(
        (("制定工作方案，建立问题台账和责任清单", "召开专题会议安排部署，明确时间节点"),
         ("逐项交办问题，实行限时办结", "深入企业走访，收集诉求并分类交办"),
         ("对办结事项开展回访，满意度持续提升", "梳理形成长效机制，制度文件正在审定"),
         ("各项任务已全部完成，长效机制已建立", "目标任务完成，相关制度已印发执行")),
        ("个别部门配合不够主动，存在推诿现象", "部分历史遗留问题涉及多个部门，协调难度大", "企业对政策知晓度不高"),
        ("加强部门联动，对久拖不决的问题提请县领导调度", "开展政策宣讲进企业活动", "对办结事项开展“回头看”"),
        "涉及多个部门，需提请县政府常务会议研究"),
    "shenpi": Words(
        (("梳理事项清单，修订办事指南和流程图", "对标先进地区做法，制定实施方案"),
         ("优化审批流程，新流程已上线试运行", "组织窗口人员开展业务培训，推行一窗受理"),
         ("新流程正式运行，审批时限明显压缩", "开展办理情况抽查和群众满意度评价"),
         ("目标任务已全部完成，审批时限压缩达到要求", "各项事项已上线运行，运行平稳")),
        ("部分事项依赖省市系统，数据共享不畅", "窗口人员业务能力有待提升", "个别部门审批环节仍较多"),
        ("协调省市系统对接，推动数据共享", "开展窗口人员业务轮训", "对超时办理事项逐件督办"),
        "省级系统升级改造尚未完成"),
    "tudi": Words(
        (("完成勘测定界和土地权属调查", "完成用地需求摸底，制定工作方案"),
         ("完成组卷材料编制，报市自然资源和规划局审查", "完成社会稳定风险评估和征地听证"),
         ("已报省自然资源厅审查，正在按审查意见补正材料", "完成供地方案审批，正在组织挂牌出让"),
         ("已取得批复，用地手续全部办结", "目标任务已全部完成")),
        ("个别地块涉及永久基本农田，需调整用地范围", "上级审查周期较长", "部分地块权属存在争议"),
        ("加强与省市自然资源部门对接，跟踪审查进度", "逐宗落实责任人，加快材料补正", "协调乡镇化解权属争议"),
        "用地报件在省自然资源厅审查，批复时间不确定"),
    "zhengdi": Words(
        (("完成征地红线内入户调查和地上附着物清点登记", "发布征收土地预公告，开展政策宣传"),
         ("签订征收补偿协议，分批兑付补偿款", "完成坟墓迁移和电力、通信线路迁改方案"),
         ("拆除地上建筑物，清表交付施工用地", "剩余少数农户正在逐户做思想工作"),
         ("征地拆迁任务全部完成，已交付施工用地", "补偿款全部兑付到户，未发生信访问题")),
        ("个别农户对补偿标准有异议，正在做思想工作", "坟墓迁移涉及群众多，工作难度大", "补偿资金到位不及时"),
        ("包村干部逐户走访，化解群众诉求", "协调财政局加快补偿款拨付", "依法依规推进剩余户签约"),
        "少数农户诉求未化解，需依法依规推进"),
    "anquan": Words(
        (("制定专项整治方案，召开动员部署会", "建立排查整治台账，明确责任人"),
         ("开展拉网式排查，发现隐患即交办整改", "联合执法检查重点企业和场所"),
         ("对发现隐患逐项复查销号", "开展“回头看”，巩固整治成果"),
         ("专项整治任务全部完成，隐患全部整改销号", "目标任务完成，未发生安全事故")),
        ("部分经营主体安全意识淡薄，整改不及时", "基层监管力量不足", "个别隐患整改需投入资金较大"),
        ("对整改不到位的依法处罚", "开展警示教育和安全培训", "加强部门联合执法"),
        "隐患整改需投入资金较大，企业整改周期长"),
    "fanghuo": Words(
        (("召开秋冬季森林防火动员会，逐村签订防火责任书", "防火瞭望点、进山卡口落实专人值守"),
         ("护林员、防火公益岗上岗巡护，农村大喇叭、宣传车每日宣传", "清理林区可燃物，专业扑火队开展实战演练"),
         ("防火期各项措施落实到位，进山卡口登记检查不间断", "对重点部位和重点人群开展包联盯守"),
         ("防火期结束，未发生森林火灾", "各项防火措施全部落实")),
        ("个别村防火宣传不到位", "部分护林员年龄偏大，巡护力量不足", "祭祀用火管控难度大"),
        ("加大巡查频次，重点时段加强值守", "开展防火宣传进村入户", "组织扑火队开展拉练"),
        "防火期延长"),
    "ranqi": Words(
        (("摸底建立燃气经营企业和用户台账", "召开燃气安全排查整治部署会"),
         ("对餐饮场所、老旧小区逐户排查，发现隐患现场交办", "督促安装可燃气体报警装置"),
         ("对排查发现的隐患逐一复查销号", "开展燃气安全宣传进社区、进餐馆"),
         ("排查整治任务全部完成，隐患全部整改销号", "燃气安全台账已规范建立")),
        ("部分老旧小区燃气管道老化，改造资金不足", "个别餐饮场所整改不积极", "瓶装液化气来源管控难"),
        ("对整改不到位的餐饮场所联合执法", "推进老旧燃气管网改造", "加强瓶装液化气流向管控"),
        "老旧管网改造需纳入明年计划"),
    "xiangcun": Words(
        (("完成项目规划设计和招投标", "完成任务分解，逐村落实责任人"),
         ("项目全面开工建设，完成工程量过半", "组织技术人员入村指导"),
         ("主体工程基本完成，正在开展自查验收", "对标对表查漏补缺"),
         ("目标任务已全部完成，通过验收", "各项任务完成，资料已归档")),
        ("受农时影响，部分工程施工时间受限", "项目资金配套不到位", "群众参与积极性有待提高"),
        ("抢抓农闲时节加快施工", "协调落实配套资金", "加强宣传发动，引导群众参与"),
        "受农时和天气影响，施工期顺延"),
    "chengjian": Words(
        (("完成项目设计和招投标，施工单位进场", "完成现状摸排，制定实施方案"),
         ("分片区有序施工，完成工程量过半", "加快管网敷设和道路施工"),
         ("主体工程基本完成，正在进行附属工程和绿化恢复", "开展分项验收和整改"),
         ("工程已完工并通过验收，投入使用", "目标任务已全部完成")),
        ("施工影响居民出行，群众有意见", "地下管线复杂，施工难度大", "冬季施工受气温影响"),
        ("优化施工组织，减少对群众出行影响", "加强与管线单位协调", "抢抓有利天气加快施工"),
        "冬季低温无法施工，顺延至明年开春"),
}
WORDS["general"] = WORDS["yingshang"]

RETURN_EVIDENCE = ("现场照片和验收记录", "相关批复文件", "工作台账和总结", "第三方检测报告")
PAUSE_REASONS = {
    "tudi": "用地报件已报省自然资源厅审查，等待批复，非我县可控",
    "xiangmu": "项目资金申请已报省发展改革委审核，等待资金下达，挂起计时",
    "chengjian": "安置房用地规划调整待市政府批复，挂起计时",
}
SUSPEND_REASON = "投资方调整投资计划，经县政府常务会议研究，暂停推进"
SUSPEND_REASONS = {
    "yingji": "项目选址调整，经县政府常务会议研究，暂停推进，待新选址确定后恢复",
}
CANCEL_REASONS = {
    "shangwu": "投资方因资金链原因终止合作，经县委常委会会议研究，撤销该任务",
    "shuili": "上级资金政策调整，项目不再实施，经县委常委会会议研究，撤销该任务",
}
