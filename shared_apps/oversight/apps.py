from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "shared_apps.oversight"
    label = "oversight"
    verbose_name = "国家中心监测"
