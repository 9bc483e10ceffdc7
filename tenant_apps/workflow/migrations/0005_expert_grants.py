"""Expert assignments move from Task.assignees to django-guardian object permissions (`decide_task` per task)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def assignees_to_grants(apps, schema_editor):
    Task = apps.get_model("workflow", "Task")
    Grant = apps.get_model("workflow", "TaskUserObjectPermission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    through = Task.assignees.through
    pairs = list(through.objects.values_list("task_id", "user_id"))
    if not pairs:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="workflow", model="task")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="decide_task", defaults={"name": "Can decide task"}
    )
    Grant.objects.bulk_create(
        [Grant(content_object_id=task_id, user_id=user_id, permission=permission) for task_id, user_id in pairs],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0004_stage_checks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskUserObjectPermission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "content_object",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="workflow.task"),
                ),
                (
                    "permission",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="auth.permission"),
                ),
                (
                    "user",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL),
                ),
            ],
            options={
                "verbose_name": "待办授权",
                "verbose_name_plural": "待办授权",
                "abstract": False,
                "unique_together": {("user", "permission", "content_object")},
            },
        ),
        migrations.RunPython(assignees_to_grants, migrations.RunPython.noop),
        migrations.RemoveField(model_name="task", name="assignees"),
        migrations.AlterModelOptions(
            name="task",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [("decide_task", "可处理该待办")],
                "verbose_name": "待办",
                "verbose_name_plural": "待办",
            },
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("state", "open")), fields=["-created_at", "-id"], name="task_open_newest_first"
            ),
        ),
    ]
