from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..rules.organization import COMMITTEE_TITLES, GENDERS, MEMBER_CATEGORIES, RELATIONS


class MemberForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("请填写姓名"), Length(max=64)])
    phone = StringField("手机号", validators=[DataRequired("请填写手机号"), Length(max=20)])
    gender = SelectField("性别", choices=[("", "请选择")] + list(GENDERS.items()),
                         validators=[Optional()])
    birth_date = DateField("出生日期", validators=[Optional()])
    category = SelectField("人员类别", choices=list(MEMBER_CATEGORIES.items()))
    join_date = DateField("入党日期", validators=[Optional()])
    post = StringField("工作岗位", validators=[Optional(), Length(max=120)])
    relation = SelectField("组织关系", choices=list(RELATIONS.items()))
    title = SelectField("支委职务", choices=[("", "无")] + list(COMMITTEE_TITLES.items()),
                        validators=[Optional()])
    is_recorder = BooleanField("记录员（可在现场记录组织生活）")
    group_id = SelectField("党小组", choices=[], coerce=lambda v: int(v) if v else None,
                           validators=[Optional()], validate_choice=False)


class ConfirmForm(FlaskForm):
    reason = StringField("原因", validators=[Optional(), Length(max=200)])


class ImportForm(FlaskForm):
    sheet = FileField("花名册表格（.xlsx）", validators=[
        FileRequired("请选择要导入的 .xlsx 文件"),
        FileAllowed(["xlsx"], "只支持 .xlsx 格式的表格"),
    ])
