from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "门户内容"
