"""The binder export (台账合订本, PDF): the entry the export job calls. Builds the branch-year's Binder and
draws it (webapp/ledgers/binder_pdf/).

Until the six archives' builders (webapp/ledgers/archives/) are part of this tree, the Binder built here
files every approved record of the year as a meeting page under 组织生活档案 and leaves the other five
archives empty, each printing that it holds nothing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..models import Organization
from ..records.queries import user_names
from .archives.meeting_pages import meeting_page, people_named
from .archives.model import Archive, Binder, Entry
from .sheets.common import approved_data, approved_records

ARCHIVES = [
    ("organization", "组织管理档案", "成立批复、换届选举、工作计划和总结、请示报告"),
    ("members", "党员管理档案", "党员花名册、组织关系转接和流动党员、党费收缴、发展党员档案、表彰奖励、困难党员"),
    ("org_life", "组织生活档案", "“三会一课”记录、主题党日、党课讲稿、组织生活会材料和整改落实、谈心谈话、民主评议"),
    ("education", "集中教育档案", "学习任务、学习笔记、培训学时"),
    ("excellence", "创先争优档案", "示范岗、承诺践诺、志愿服务、表彰奖励"),
    ("funds", "经费保障档案", "党费和活动经费、支出及凭证"),
]


def meeting_entry(record, names: dict[int, str]) -> Entry:
    topic = approved_data(record).get("topic") or record.topic
    return Entry(title=f"{record.type_label}：{topic}", when=record.occurred_on,
                 blocks=[meeting_page(record, names)], new_page=True)


def meetings_binder(org: Organization, year: int) -> Binder:
    """The year's approved records as meeting pages under 组织生活档案; the other archives empty."""
    records = approved_records(org, year)
    names = user_names(people_named(records))
    meetings = [meeting_entry(record, names) for record in records]
    return Binder(org_name=org.name, year=year, title=f"{org.name} {year} 年度台账",
                  archives=[Archive(key, title, source, meetings if key == "org_life" else [])
                            for key, title, source in ARCHIVES])


def build(org: Organization, year: int, path: Path, progress: Callable[[int, str], None] | None = None) -> Path:
    from .binder_pdf import render  # fpdf2 and its fonts: loaded by the process that builds an export

    if progress:
        progress(2, "正在整理档案")
    render(meetings_binder(org, year), path, progress, start=10)
    if progress:
        progress(100, "完成")
    return path
