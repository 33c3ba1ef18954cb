"""Progress: goals (with milestones and their history), tasks and ticks, body measurements (with a
business's own kinds), progress photos, and each client's progress preferences."""

from .goals import Goal, GoalChange, Milestone
from .measurements import Measurement, MeasurementKind
from .photos import ProgressPhoto
from .preferences import ProgressDefaults, ProgressSettings
from .reports import MonthlyReport
from .tasks import Task, TaskCompletion

__all__ = ["Goal", "GoalChange", "Measurement", "MeasurementKind", "Milestone", "MonthlyReport", "ProgressDefaults",
           "ProgressPhoto", "ProgressSettings", "Task", "TaskCompletion"]
