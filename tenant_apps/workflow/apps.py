from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "tenant_apps.workflow"
    label = "workflow"
    verbose_name = _("审核流程")
