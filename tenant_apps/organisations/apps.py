from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "tenant_apps.organisations"
    label = "organisations"
    verbose_name = "组织与成员"
