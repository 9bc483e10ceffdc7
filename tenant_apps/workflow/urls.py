from django.urls import path

from tenant_apps.workflow import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/progress.pdf", views.application_progress_pdf, name="application-progress-pdf"),
    path(
        "applications/<int:pk>/files/<int:attachment_pk>/",
        views.application_attachment,
        name="application-attachment",
    ),
    path("applications/<int:pk>/form.<str:fmt>", views.application_form, name="application-form"),
]
