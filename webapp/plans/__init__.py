"""活动安排 and 学习任务: scheduling activities and publishing study tasks (issue 5)."""
from flask import Blueprint

bp = Blueprint("plans", __name__)
