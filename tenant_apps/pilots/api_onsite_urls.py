"""现场验收 API routes under /api/v1/pilots/onsite/ (module `acceptance`)."""

from django.urls import path

from tenant_apps.pilots import api_onsite as api

urlpatterns = [
    path("", api.OnsiteListView.as_view(), name="api-pilots-onsite-list"),
    path("<int:pk>/", api.OnsiteDetailView.as_view(), name="api-pilots-onsite"),
    path("<int:pk>/book/", api.OnsiteBookView.as_view(), name="api-pilots-onsite-book"),
    path("<int:pk>/conclude/", api.OnsiteConcludeView.as_view(), name="api-pilots-onsite-conclude"),
]
