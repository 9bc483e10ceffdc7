"""The one lock order of the review engine: an application first, then its tasks, each in primary-key order.

Around it: a service that starts from the applicant (certification form, registration profile) locks the
applicant's membership row before the application; an outcome handler writes the applicant's organisation after
the application and task. So the whole order is membership → application → tasks → organisation.

Every transition (submit, decide, withdraw, upload, assign) takes its locks through these helpers, so two
transitions on one application queue behind each other instead of deadlocking. `of=("self",)` keeps a join (to
the stage's data, the applicant) from locking the joined rows too.
"""

from __future__ import annotations

from tenant_apps.workflow.models import Application, Task


def application_qs_select_for_update():
    return Application.objects.order_by("pk").select_for_update(of=("self",))


def task_qs_select_for_update():
    return Task.objects.order_by("pk").select_for_update(of=("self",))


def application_lock(pk: int) -> Application | None:
    """Lock one application (callers hold no task lock yet)."""
    return application_qs_select_for_update().filter(pk=pk).first()


def task_lock_with_application(task_id: int) -> tuple[Task, Application] | tuple[None, None]:
    """Lock the task's application, then the task: the documented order even when a caller starts from a task.

    The task's application never changes, so reading its id unlocked first is safe."""
    application_id = Task.objects.filter(pk=task_id).values_list("application_id", flat=True).first()
    if application_id is None:
        return None, None
    application = application_lock(application_id)
    task = task_qs_select_for_update().filter(pk=task_id).first()
    if application is None or task is None:
        return None, None
    task.application = application
    return task, application


def open_tasks_lock(application: Application) -> list[Task]:
    """Lock the application's open tasks (after the application itself)."""
    return list(task_qs_select_for_update().filter(application=application, state=Task.State.OPEN))
