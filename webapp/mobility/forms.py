"""Forms of members on the move. Ids arrive as text and are read with ``input_numbers.row_id``."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..orgs.forms import CountField
from ..rules.mobility import POCKET_RESOLUTIONS


class FoundForm(FlaskForm):
    name = StringField("临时党支部名称", validators=[DataRequired("请填写名称"), Length(max=120)])
    project_name = StringField("项目名称", validators=[DataRequired("请填写项目名称"), Length(max=200)])
    site = StringField("项目地点", validators=[Optional(), Length(max=200)])
    start_date = DateField("开始日期", validators=[DataRequired("请填写开始日期")])
    end_date = DateField("结束日期（预计）", validators=[Optional()])
    planned_people = CountField("项目人员数")
    planned_members = CountField("其中党员人数")
    leader_id = SelectField("临时负责人", choices=[], validate_choice=False)
    committee_ids = SelectMultipleField("临时支委（可选）", choices=[], coerce=str, validate_choice=False,
                                        validators=[Optional()])
    approval_number = StringField("批复文号", validators=[DataRequired("请填写批复文号"), Length(max=80)])
    approval_date = DateField("批复日期", validators=[Optional()])
    exception_reason = TextAreaField("例外说明", validators=[Optional(), Length(max=500)])


class OutsideMemberForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    home_org_name = StringField("原所在党组织", validators=[DataRequired("请填写原所在党组织"), Length(max=200)])
    category = SelectField("人员类别", choices=[("full", "正式党员"), ("probationary", "预备党员")])
    phone = StringField("手机号", validators=[Optional(), Length(max=20)])
    contact_name = StringField("原组织联系人", validators=[Optional(), Length(max=64)])
    contact_phone = StringField("原组织联系电话", validators=[Optional(), Length(max=30)])
    card_number = StringField("流动党员活动证号", validators=[Optional(), Length(max=60)])


class WorkerForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    employer = StringField("单位", validators=[Optional(), Length(max=200)])
    note = StringField("说明", validators=[Optional(), Length(max=200)])


class ObservationForm(FlaskForm):
    user_id = StringField("入党积极分子", validators=[DataRequired("请选择入党积极分子")])
    text = TextAreaField("考察意见", validators=[DataRequired("请填写考察意见"), Length(max=2000)])


class CloseForm(FlaskForm):
    on = DateField("撤销日期", validators=[DataRequired("请填写撤销日期")])


class OutflowForm(FlaskForm):
    user_id = SelectField("党员", choices=[], validate_choice=False)
    destination = StringField("去向（工作地点）", validators=[DataRequired("请填写去向"), Length(max=200)])
    receiving_org_id = SelectField("接收党支部（系统内）", choices=[], validate_choice=False)
    receiving_org_name = StringField("接收党组织（系统外）", validators=[Optional(), Length(max=200)])
    reason = StringField("外出原因", validators=[Optional(), Length(max=200)])
    from_date = DateField("外出日期", validators=[DataRequired("请填写外出日期")])
    until_date = DateField("预计返回日期", validators=[Optional()])
    contact_name = StringField("联系人", validators=[Optional(), Length(max=64)])
    contact_phone = StringField("联系电话", validators=[Optional(), Length(max=30)])
    card_number = StringField("流动党员活动证号", validators=[Optional(), Length(max=60)])


class WhereaboutsForm(FlaskForm):
    whereabouts = StringField("我现在所在地", validators=[DataRequired("请填写所在地"), Length(max=200)])
    contact_phone = StringField("联系电话", validators=[Optional(), Length(max=30)])


class TransferForm(FlaskForm):
    kind = SelectField("转接方式", choices=[("within", "转至系统内党支部"), ("outgoing", "开具介绍信（转至系统外）")])
    user_id = SelectField("党员", choices=[], validate_choice=False)
    to_org_id = SelectField("转入党支部（系统内）", choices=[], validate_choice=False)
    destination = StringField("接收单位党组织（系统外）", validators=[Optional(), Length(max=200)])
    letter_number = StringField("介绍信编号", validators=[Optional(), Length(max=60)])
    valid_until = DateField("有效期至（不填按规定天数）", validators=[Optional()])
    note = StringField("说明", validators=[Optional(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = TextAreaField("理由", validators=[DataRequired("请填写理由"), Length(max=500)])


class ResolveForm(FlaskForm):
    resolution = SelectField("处理方式", choices=list(POCKET_RESOLUTIONS.items()))
    note = TextAreaField("处理说明", validators=[Optional(), Length(max=500)])
    letter_number = StringField("新介绍信编号（重新开具时）", validators=[Optional(), Length(max=60)])
    valid_until = DateField("新介绍信有效期至", validators=[Optional()])


class IncomingForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    phone = StringField("手机号", validators=[DataRequired("请填写手机号"), Length(max=20)])
    gender = SelectField("性别", choices=[("", "—"), ("male", "男"), ("female", "女")], validate_choice=False)
    birth_date = DateField("出生日期", validators=[Optional()])
    category = SelectField("人员类别", choices=[("full", "正式党员"), ("probationary", "预备党员")])
    join_date = DateField("入党日期", validators=[DataRequired("请填写入党日期")])
    post = StringField("工作岗位", validators=[Optional(), Length(max=120)])
    origin = StringField("原单位党组织", validators=[DataRequired("请填写原单位党组织"), Length(max=200)])
    letter_number = StringField("介绍信编号", validators=[DataRequired("请填写介绍信编号"), Length(max=60)])
    issued_on = DateField("介绍信开具日期", validators=[Optional()])
    dues_paid_through = StringField("党费交至（如 2026-05）", validators=[Optional(), Length(max=7)])


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token only."""
