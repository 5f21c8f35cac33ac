"""Where a job is done: the role's settings, read from its title and description.

A barista is asked about a café counter, not a hotel lobby: questions and items list the
settings they were written for (competency.schemas.Setting) and the planner draws only those
that fit the role. The settings come from words that name a workplace or a job in it, in the
title (which counts three times) and the description; when none is named, from the library
template the role matched; when there is neither, the role has none and only questions
written for any workplace are drawn.
"""

from __future__ import annotations

import re
from collections import Counter

from interview.competency.schemas import CompetencyModel, Library, Setting

TITLE_WEIGHT = 3
TEMPLATE_WEIGHT = 2  # the matched library template's settings, as if named twice
# A second setting is kept when it is named at least this share as often as the first
# (a store manager "runs a shop or restaurant": retail and food service).
SECOND_SHARE = 0.5

# Words naming a workplace or a job done in it. English matches whole words (a trailing "s"
# allowed); Chinese matches substrings. Only words that place a job: "customer service" or
# "cash" alone occur in every frontline description and name no setting.
_WORDS: dict[Setting, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "food_service": (
        (
            "barista",
            "café",
            "cafe",
            "coffee",
            "espresso",
            "latte",
            "restaurant",
            "kitchen",
            "waiter",
            "waitress",
            "bartender",
            "bar staff",
            "chef",
            "cook",
            "canteen",
            "catering",
            "fast food",
            "food service",
            "diner",
            "bakery",
            "menu",
            "dining",
        ),
        (
            "咖啡",
            "餐厅",
            "餐饮",
            "饭店",
            "服务员",
            "后厨",
            "厨房",
            "厨师",
            "奶茶",
            "茶饮",
            "快餐",
            "食堂",
            "烘焙",
            "酒吧",
            "菜单",
            "点餐",
            "点单",
        ),
    ),
    "hotel": (
        (
            "hotel",
            "front desk",
            "housekeeping",
            "concierge",
            "check-in",
            "guest room",
            "resort",
            "hostel",
        ),
        ("酒店", "宾馆", "客房", "前台接待", "入住", "民宿"),
    ),
    "retail": (
        (
            "shop",
            "store",
            "retail",
            "supermarket",
            "shop floor",
            "shelves",
            "merchandising",
            "sales floor",
            "boutique",
            "cashier",
        ),
        ("商店", "门店", "店铺", "超市", "零售", "收银", "导购", "货架", "商场", "便利店", "店员"),
    ),
    "warehouse": (
        (
            "warehouse",
            "picker",
            "picking",
            "packing",
            "dispatch",
            "forklift",
            "pallet",
            "logistics",
            "distribution centre",
            "distribution center",
            "fulfilment",
            "fulfillment",
            "stock control",
        ),
        ("仓库", "仓储", "拣货", "分拣", "打包", "叉车", "物流", "托盘", "出库", "入库"),
    ),
    "delivery": (
        ("delivery rider", "rider", "courier", "driver", "scooter", "delivery route"),
        ("骑手", "外卖", "快递员", "配送员", "送餐", "司机", "派送"),
    ),
    "contact_centre": (
        (
            "call centre",
            "call center",
            "contact centre",
            "contact center",
            "inbound call",
            "outbound call",
            "calls",
            "chats",
            "phone",
            "headset",
            "helpdesk",
            "help desk",
            "live chat",
            "hotline",
        ),
        ("呼叫中心", "客服中心", "电话", "热线", "坐席", "在线客服", "接线"),
    ),
    "manufacturing": (
        (
            "factory",
            "production line",
            "assembly line",
            "assembly",
            "manufacturing",
            "machine operator",
            "workstation",
        ),
        ("工厂", "生产线", "流水线", "装配", "车间", "制造", "操作工", "产线"),
    ),
    "healthcare": (
        (
            "nurse",
            "nursing",
            "hospital",
            "ward",
            "patient",
            "clinic",
            "care home",
            "carer",
            "care assistant",
            "healthcare",
            "medication",
            "midwife",
        ),
        ("护士", "护理", "医院", "病房", "患者", "病人", "诊所", "养老院", "护工", "医疗", "用药"),
    ),
    "office": (
        (
            "software",
            "engineer",
            "developer",
            "programmer",
            "data analyst",
            "analyst",
            "product manager",
            "project manager",
            "accountant",
            "marketing",
            "hr specialist",
            "human resources",
            "recruiter",
            "sales representative",
            "account manager",
            "consultant",
            "administrator",
            "graduate",
            "office",
        ),
        (
            "软件",
            "工程师",
            "开发",
            "程序员",
            "数据分析",
            "分析师",
            "产品经理",
            "项目经理",
            "会计",
            "市场",
            "人力资源",
            "招聘",
            "销售代表",
            "客户经理",
            "顾问",
            "行政",
            "管培生",
            "办公",
        ),
    ),
    "education": (
        ("teacher", "teaching", "school", "pupil", "classroom", "tutor", "lesson", "students"),
        ("教师", "老师", "学校", "学生", "课堂", "教学", "辅导", "班主任"),
    ),
}


def _en_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?:e?s)?(?![\w-])", re.IGNORECASE)


_EN = {setting: _en_pattern(en) for setting, (en, _) in _WORDS.items()}


def _mentions(text: str) -> Counter[Setting]:
    found: Counter[Setting] = Counter()
    for setting, (_, zh) in _WORDS.items():
        found[setting] += len(_EN[setting].findall(text)) + sum(text.count(w) for w in zh)
    return +found


def settings_named(
    title: str, description: str, prior: tuple[Setting, ...] = ()
) -> tuple[Setting, ...]:
    """The settings a title and description name, most named first (none: none named).
    `prior` (the matched template's) count as named TEMPLATE_WEIGHT times, once any is named:
    a support role that "works with the warehouse team" stays a contact centre."""
    counts = _mentions(title)
    for setting in counts:
        counts[setting] *= TITLE_WEIGHT
    counts.update(_mentions(description))
    if counts:
        counts.update({setting: TEMPLATE_WEIGHT for setting in prior})
    if not counts:
        return ()
    ranked = counts.most_common()
    top = ranked[0][1]
    return tuple(s for s, n in ranked if n >= top * SECOND_SHARE)


def infer_settings(
    title: str, description: str, library: Library, template_id: str | None
) -> tuple[Setting, ...]:
    """The role's settings: those its words name (weighed with its template's), else its
    template's, else none."""
    prior = next((r.settings for r in library.roles if r.id == template_id), ())
    return settings_named(title, description, prior) or prior


def role_settings(model: CompetencyModel, library: Library) -> tuple[Setting, ...]:
    """A model's settings; a model stored before settings existed takes its template's."""
    if model.settings or model.template_id is None:
        return model.settings
    return next((r.settings for r in library.roles if r.id == model.template_id), ())
