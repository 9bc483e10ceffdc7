from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "tenant_apps.workflow"
    label = "workflow"
    verbose_name = "审核流程"
