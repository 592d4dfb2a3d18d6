from flask_wtf import FlaskForm
from wtforms import DateField, Field, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import TextInput


class CountField(Field):
    """A head count typed as ASCII digits (0–100000), with a Chinese message for anything else."""

    widget = TextInput()

    def _value(self):
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            if not (text.isascii() and text.isdigit()) or int(text) > 100000:
                raise ValueError("请填写 0 至 100000 之间的整数")
            self.data = int(text)


class OrgForm(FlaskForm):
    kind = SelectField("组织类型", choices=[])
    name = StringField("名称", validators=[DataRequired("请填写组织名称"), Length(max=120)])
    description = TextAreaField("说明", validators=[Optional(), Length(max=2000)])
    is_temporary = SelectField("是否临时党支部", choices=[("0", "否"), ("1", "是（项目临时党支部）")],
                               default="0")
    project_name = StringField("项目名称", validators=[Optional(), Length(max=200)])
    site = StringField("项目地点", validators=[Optional(), Length(max=200)])
    start_date = DateField("开始日期", validators=[Optional()])
    end_date = DateField("结束日期（预计）", validators=[Optional()])
    planned_people = CountField("项目人员数")
    planned_members = CountField("其中党员人数")
    leader_id = SelectField("负责人（临时负责人 / 党小组组长）", choices=[], validate_choice=False,
                            validators=[Optional()])
    committee_term_start = DateField("本届支委会任期开始", validators=[Optional()])
    committee_term_end = DateField("本届支委会任期届满", validators=[Optional()])
    # A party group's members, chosen from the branch when the group is set up.
    group_member_ids = SelectMultipleField("党小组成员", choices=[], coerce=str, validate_choice=False,
                                           validators=[Optional()])
    # Structural rules warn, never block: going ahead against one takes a reason, kept and audited.
    exception_reason = TextAreaField("例外说明", validators=[Optional(), Length(max=500)])
