from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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
    leader_id = SelectField("负责人（临时负责人 / 党小组组长）", choices=[], validate_choice=False,
                            validators=[Optional()])
    committee_term_start = DateField("本届支委会任期开始", validators=[Optional()])
    committee_term_end = DateField("本届支委会任期届满", validators=[Optional()])
