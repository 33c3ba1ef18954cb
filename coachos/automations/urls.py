from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:automationrun_id>/", views.run_detail, name="run"),
    path("runs/<int:automationrun_id>/retry/", views.run_retry, name="run_retry"),
    path("todos/", views.todos, name="todos"),
    path("todos/<int:todo_id>/done/", views.todo_done, name="todo_done"),
    path("<int:automation_id>/", views.detail, name="detail"),
    path("<int:automation_id>/edit/", views.edit, name="edit"),
    path("<int:automation_id>/switch/", views.set_enabled, name="set_enabled"),
    path("<int:automation_id>/run/", views.run_now, name="run_now"),
    path("<int:automation_id>/delete/", views.delete, name="delete"),
]
