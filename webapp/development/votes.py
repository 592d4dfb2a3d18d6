"""The branch general meeting's vote (细则第二十二条): two majorities, both counted against the members with a
vote who should attend (应到会有表决权的党员), never against those present, with the arithmetic shown."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain_errors import Invalid
from .inputs import whole_number
from ..rules.development import VOTE_SOURCE

FIELDS = {"expected": "应到会有表决权党员", "present": "实到会有表决权党员", "in_favour": "赞成",
          "against": "反对", "abstaining": "弃权"}
MAX_COUNT = 10000


@dataclass(frozen=True)
class Vote:
    expected: int
    present: int
    in_favour: int
    against: int
    abstaining: int

    @property
    def quorum(self) -> bool:
        """More than half of those who should attend are present."""
        return 2 * self.present > self.expected

    @property
    def majority(self) -> bool:
        """More than half of those who should attend voted in favour (not half of those present)."""
        return 2 * self.in_favour > self.expected

    @property
    def passed(self) -> bool:
        return self.quorum and self.majority

    def arithmetic(self) -> list[str]:
        half = f"{self.expected / 2:g}"
        return [
            f"应到会有表决权党员 {self.expected} 人，半数为 {self.expected} ÷ 2 = {half}",
            f"实到 {self.present} 人 {'>' if self.quorum else '≤'} {half}："
            f"{'到会人数超过半数' if self.quorum else '到会人数未超过半数，会议不能进行表决'}",
            f"赞成 {self.in_favour} 人 {'>' if self.majority else '≤'} {half}："
            f"{'赞成人数超过应到会有表决权党员的半数' if self.majority else '赞成人数未超过应到会有表决权党员的半数'}"
            f"（反对 {self.against} 人，弃权 {self.abstaining} 人）",
            "结论：" + ("通过" if self.passed else "未通过"),
        ]

    def as_dict(self) -> dict:
        return {"expected": self.expected, "present": self.present, "in_favour": self.in_favour,
                "against": self.against, "abstaining": self.abstaining}


def parse(raw: dict) -> Vote:
    """Counts from a form or a stored dict. Raises Invalid naming the rule when they do not add up."""
    errors: dict[str, str] = {}
    counts: dict[str, int] = {}
    for name, label in FIELDS.items():
        value = whole_number(raw.get(name), 0, MAX_COUNT)
        if value is None:
            errors[name] = f"{label}人数须为 0 到 {MAX_COUNT} 的整数"
        else:
            counts[name] = value
    if errors:
        raise Invalid(errors)
    vote = Vote(**counts)
    if vote.expected < 1:
        raise Invalid({"expected": "应到会有表决权党员人数至少为 1"})
    if vote.present > vote.expected:
        raise Invalid({"present": f"实到人数（{vote.present}）不能多于应到人数（{vote.expected}）"
                                  f"——{VOTE_SOURCE.split('；')[0]}"})
    cast = vote.in_favour + vote.against + vote.abstaining
    if cast != vote.present:
        raise Invalid({"in_favour": f"表决票数不符：赞成 {vote.in_favour} + 反对 {vote.against} + 弃权 "
                                    f"{vote.abstaining} = {cast}，应等于实到会有表决权党员 {vote.present} 人"
                                    f"（细则第二十二条：表决以实到会有表决权党员为票数）"})
    return vote
