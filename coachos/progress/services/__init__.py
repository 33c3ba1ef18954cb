"""Every write of progress (``goals``, ``measurements``, ``tasks``, ``photos``): keyword-only, one
transaction each, checked with a sentence for the person (``ProgressError``)."""

from .goals import goal_create, goal_update, goals_refresh, milestone_add, milestone_remove, milestone_update
from .measurements import (
    measurement_delete,
    measurement_kind_create,
    measurement_kind_delete,
    measurement_record,
    progress_defaults_update,
    progress_settings_update,
)
from .photos import photo_delete, photo_upload
from .tasks import task_create, task_done, task_undone, task_update, tasks_note_overdue

__all__ = [
    "goal_create", "goal_update", "goals_refresh", "measurement_delete", "measurement_kind_create",
    "measurement_kind_delete", "measurement_record", "milestone_add", "milestone_remove", "milestone_update",
    "photo_delete", "photo_upload", "progress_defaults_update", "progress_settings_update", "task_create", "task_done", "task_undone",
    "task_update", "tasks_note_overdue",
]
