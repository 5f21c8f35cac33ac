"""Roles built from realistic job descriptions, in both languages, get plans that fit them.

Each role is set up through the real embedder (setup_role). The checks do not trust the
settings tags alone: every drawn question and item is also read for words that place it in
another workplace (a hotel lobby for a barista, a till for a software engineer), from word
lists written here, independently of the product's own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from interview.competency.schemas import fits
from interview.pipeline import setup_role
from interview.questions.items import load_items
from interview.questions.plan import build_plan, fitting_items

JOBS: dict[str, dict[str, Any]] = {
    "barista": {
        "en": (
            "Barista",
            "Join our busy neighbourhood café. You will prepare espresso drinks and filter "
            "coffee, serve pastries at the counter, take payments, keep the café clean, and "
            "follow food hygiene and allergen procedures. Friendly communication with regulars "
            "and planning your prep before the morning rush matter; honesty with cash is a must.",
        ),
        "zh": (
            "咖啡师",
            "加入我们社区里的一家咖啡馆。负责制作意式浓缩和手冲咖啡，在吧台为顾客提供糕点，收款，"
            "保持店内整洁，遵守食品卫生和过敏原规定。需要与熟客友好沟通，早高峰前做好备料计划，诚实守信。",
        ),
        "settings": {"food_service"},
    },
    "call_centre": {
        "en": (
            "Call centre agent",
            "Answer inbound calls and live chat from customers of a broadband provider in our "
            "contact centre. Resolve billing and connection problems, calm upset callers, record "
            "every call accurately in the CRM and meet call-handling targets.",
        ),
        "zh": (
            "呼叫中心客服",
            "在呼叫中心接听宽带用户的来电和在线咨询，处理账单和网络故障问题，安抚情绪激动的来电者，"
            "在系统中准确记录每一通电话，完成接线量和满意度指标。",
        ),
        "settings": {"contact_centre"},
    },
    "warehouse": {
        "en": (
            "Warehouse operative",
            "Pick and pack customer orders in our distribution centre using handheld scanners, "
            "load pallets safely, follow manual handling and forklift safety rules, and hit "
            "dispatch deadlines on rotating shifts.",
        ),
        "zh": (
            "仓库作业员",
            "在物流仓库使用手持扫描枪拣货、打包，安全码放托盘，遵守搬运和叉车安全规定，轮班完成出库时限。",
        ),
        "settings": {"warehouse"},
    },
    "nurse": {
        "en": (
            "Staff nurse",
            "Registered nurse for a busy surgical ward. Assess and care for patients before and "
            "after surgery, give medication safely, keep accurate records, and keep patients "
            "and families informed while working closely with doctors.",
        ),
        "zh": (
            "病房护士",
            "在外科病房担任注册护士，负责术前术后患者的评估与护理，安全给药，准确记录护理文书，"
            "与医生密切配合，并向患者和家属说明情况。",
        ),
        "settings": {"healthcare"},
    },
    "software": {
        "en": (
            "Software engineer",
            "Backend software engineer to design, build, test and run services in Python. "
            "You will review code, debug production incidents, write clear design documents and "
            "work with product managers and other engineering teams.",
        ),
        "zh": (
            "软件工程师",
            "后端软件工程师，使用Python设计、开发、测试和运维服务，参与代码评审，排查线上故障，"
            "编写清晰的设计文档，与产品经理和其他研发团队协作。",
        ),
        "settings": {"office"},
    },
    "store_manager": {
        "en": (
            "Store manager",
            "Run a busy retail store: schedule and coach a team of twelve, hit sales and cost "
            "targets, handle escalated customer complaints, manage stock on the shop floor and "
            "keep the store compliant with safety rules.",
        ),
        "zh": (
            "门店店长",
            "负责一家客流量大的零售门店的运营：排班并辅导12名店员，完成销售和成本指标，处理升级的顾客投诉，"
            "管理门店库存和货架陈列，确保门店符合安全规定。",
        ),
        "settings": {"retail"},
    },
}

# Words that place a question or item in a workplace, written for this test (not the
# product's list). A drawn text may carry them only when the role is in that workplace.
TELLTALES: dict[str, tuple[str, ...]] = {
    "hotel": (
        "hotel",
        "check-in",
        "checkout",
        "guest room",
        "room is not ready",
        "酒店",
        "客房",
        "入住",
        "退房",
    ),
    "retail": ("aisle", "shop floor", "fitting room", "试衣间"),
    "food_service": (
        "dish",
        "kitchen",
        "plates",
        "menu",
        "table",
        "chopping board",
        "后厨",
        "上菜",
        "菜",
        "砧板",
    ),
    "warehouse": ("pallet", "scanner", "bin location", "forklift", "托盘", "扫描枪", "叉车"),
    "delivery": ("rider", "scooter", "delivery address", "骑手", "配送地址"),
    "contact_centre": ("caller", "on the phone", "call queue", "来电"),
    "manufacturing": (
        "production line",
        "assembly line",
        "workstation",
        "生产线",
        "流水线",
        "工位",
    ),
    "healthcare": ("patient", "ward", "medication", "患者", "病房", "用药"),
    "office": ("sales growth chart", "quarterly report", "meeting with the client", "季度报告"),
    "cash": ("till", "收银", "cash drawer"),  # tills: shops, cafés, restaurants and hotels
}
CASH_PLACES = {"retail", "food_service", "hotel"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _foreign_words(text: str, settings: set[str]) -> list[str]:
    found = []
    for place, words in TELLTALES.items():
        allowed = bool(CASH_PLACES & settings) if place == "cash" else place in settings
        if allowed:
            continue
        for w in words:
            pattern = re.escape(w) if CJK.search(w) else rf"\b{re.escape(w)}\b"
            if re.search(pattern, text, re.IGNORECASE):
                found.append(f"{place}:{w}")
    return found


@pytest.fixture(scope="module")
def roles(embedder: Any) -> dict[tuple[str, str], Any]:
    out = {}
    for job, spec in JOBS.items():
        for language in ("en", "zh"):
            title, description = spec[language]
            out[(job, language)] = setup_role(embedder, title, description, language, None)
    return out


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("job", sorted(JOBS))
def test_roles_from_job_descriptions_draw_only_what_fits_them(
    roles: dict[tuple[str, str], Any], job: str, language: str
) -> None:
    model, plan, _ = roles[(job, language)]
    expected = JOBS[job]["settings"]
    assert set(model.settings) == expected, (model.settings, model.template_id)
    assert set(plan.settings) == expected
    bank = {f"item:{i.id}": i for i in load_items().items}
    library_qs = 0
    for q in plan.questions:
        if q.id in bank:
            item = bank[q.id]
            assert item.settings and fits(item.settings, model.settings), (q.id, item.settings)
        elif q.kind in ("behavioural", "situational"):
            library_qs += 1
        words = _foreign_words(
            " ".join([q.text, *(c.text for c in q.choices)]), set(model.settings)
        )
        assert not words, f"{job}/{language}: {q.id} reads as another workplace: {words}: {q.text}"
    assert library_qs >= 5
    # Coverage: every weighted competency is asked about, by the default plan.
    asked = {q.competency_id for q in plan.questions}
    assert asked == {i.competency.id for i in model.items}, plan.uncovered
    assert plan.uncovered == () and plan.coverage == pytest.approx(1.0)


def test_many_draws_never_leave_the_role_and_items_rotate(
    roles: dict[tuple[str, str], Any],
) -> None:
    """Forty seeds per role: never a foreign question, and the items are not always the same."""
    drawn: dict[str, set[str]] = {}
    for (job, language), (model, _, _) in roles.items():
        for seed in range(40):
            plan = build_plan(model, language, seed=seed)
            for q in plan.questions:
                text = " ".join([q.text, *(c.text for c in q.choices)])
                assert not _foreign_words(text, set(model.settings)), (job, seed, q.id, q.text)
                if q.id.startswith("item:"):
                    drawn.setdefault(job, set()).add(q.id)
    for (job, _), (model, _, _) in roles.items():
        weighted = {i.competency.id for i in model.items}
        fitting = sum(len(v) for k, v in fitting_items(model.settings).items() if k in weighted)
        # Not always the first: every role whose bank holds several fitting items draws several.
        assert len(drawn.get(job, ())) >= min(2, fitting), (job, drawn.get(job), fitting)
    assert len([job for job, ids in drawn.items() if len(ids) > 2]) >= 3, drawn


def test_a_short_plan_declares_what_it_does_not_ask(roles: dict[tuple[str, str], Any]) -> None:
    model, _, _ = roles[("barista", "en")]
    plan = build_plan(model, "en", max_questions=2, item_count=0)
    asked = {q.competency_id for q in plan.questions}
    assert len(asked) == 2
    assert set(plan.uncovered) == {i.competency.id for i in model.items} - asked
    weights = {i.competency.id: i.weight for i in model.items}
    assert plan.coverage == pytest.approx(sum(weights[c] for c in asked), abs=1e-3)
    # Heaviest first among what is asked.
    assert max(weights[c] for c in plan.uncovered) <= min(weights[c] for c in asked)
