from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from ..rules.reminders import ACTIVITY_TYPES


class ActivityForm(FlaskForm):
    type = SelectField("活动类型", choices=[(k, v["label"]) for k, v in ACTIVITY_TYPES.items()])
    title = StringField("活动主题", validators=[DataRequired("请填写活动主题"), Length(max=200)])
    on_date = DateField("日期", validators=[DataRequired("请填写日期")])
    start_time = TimeField("开始时间", validators=[DataRequired("请填写开始时间")])
    place = StringField("地点", validators=[Optional(), Length(max=200)])


class StudyTaskForm(FlaskForm):
    topic = StringField("学习主题", validators=[DataRequired("请填写学习主题"), Length(max=200)])
    body = TextAreaField("学习内容", validators=[Optional(), Length(max=5000)])
    link = StringField("学习链接", validators=[Optional(), Length(max=500)])
    due_on = DateField("完成期限", validators=[DataRequired("请填写完成期限")])


class ConfirmForm(FlaskForm):
    pass
