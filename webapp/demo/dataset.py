"""The demo organization: a 机关党委 with three ordinary branches and two field projects.

Names are generated deterministically from common Chinese surnames and given names, so the demo and
the tests see the same people every time.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..china_time import china_today

DEMO_PASSWORD = "zhibu-demo"

COMMITTEE = {"name": "水文局机关党委", "kind": "committee"}

# name, groups (党小组) within the branch, number of generated members
ORDINARY_BRANCHES = [
    ("办公室党支部", ["第一党小组", "第二党小组"], 10),
    ("水文测验处党支部", ["测验党小组", "技术党小组"], 9),
    ("规划计划处党支部", [], 6),
]

TEMPORARY_BRANCHES = [
    {
        "name": "长江中游水文测验项目临时党支部",
        "project_name": "2026年长江中游汛期水文测验",
        "site": "湖北省监利市城南水文站",
        "start_offset_days": -120,
        "end_offset_days": 60,
        "home_members_from": ["水文测验处党支部", "办公室党支部"],
        "count": 7,
    },
    {
        "name": "张北风电场水文勘测临时党支部",
        "project_name": "张北二期风电场水文地质勘测",
        "site": "河北省张家口市张北县",
        "start_offset_days": -45,
        "end_offset_days": 90,
        "home_members_from": ["规划计划处党支部", "办公室党支部"],
        "count": 8,
    },
]

# The four named accounts of the README. "branch" is the home branch.
ACCOUNTS = {
    "jiguan": {"name": "郑国华", "phone": "13900000001", "branch": None, "title": "member",
               "post": "机关党委专职副书记", "category": "full"},
    "shuji": {"name": "王建平", "phone": "13900000002", "branch": "办公室党支部", "title": "secretary",
              "post": "办公室主任", "category": "full"},
    "linshi": {"name": "李振东", "phone": "13900000003", "branch": "水文测验处党支部", "title": None,
               "post": "高级工程师、测验队队长", "category": "full",
               "temporary": "长江中游水文测验项目临时党支部", "temporary_title": "temporary_leader"},
    "dangyuan": {"name": "张晓燕", "phone": "13900000004", "branch": "规划计划处党支部", "title": None,
                 "post": "水文测验员", "category": "full",
                 "temporary": "长江中游水文测验项目临时党支部", "temporary_recorder": True},
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "海燕", "志强", "晓东", "红梅",
         "国庆", "玉兰", "春生", "立新", "思远", "雨桐", "浩然", "子涵", "佳怡", "宇航", "梓萱", "俊杰"]
POSTS = ["水文测验员", "工程师", "助理工程师", "会计", "司机", "资料整编员", "技术员", "办事员", "高级工程师"]
COMMITTEE_TITLES_FOR_LARGE_BRANCH = ["deputy_secretary", "organization", "propaganda", "discipline"]


def person(index: int) -> dict:
    """A deterministic, realistic member record for generated index ``index``."""
    surname = SURNAMES[index % len(SURNAMES)]  # unique for the first len(SURNAMES) people
    given = GIVEN[(index * 11) % len(GIVEN)]
    birth = date(1968, 1, 15) + timedelta(days=(index * 523) % (365 * 32))
    category = "activist" if index % 9 == 4 else ("probationary" if index % 8 == 3 else "full")
    join = None
    if category != "activist":
        join = birth + timedelta(days=365 * 23 + (index * 97) % 2000)
        if category == "probationary":
            join = china_today() - timedelta(days=100 + index * 3)
    return {
        "name": surname + given,
        "gender": "female" if index % 3 == 1 else "male",
        "birth_date": birth,
        "category": category,
        "join_date": join,
        "phone": f"138{10000000 + index * 7919:08d}"[:11],
        "post": POSTS[index % len(POSTS)],
    }
