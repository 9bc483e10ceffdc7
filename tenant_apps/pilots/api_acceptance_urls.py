"""验收申请 over the API: /api/v1/pilots/acceptances/…"""

from django.urls import path, re_path

from tenant_apps.pilots import api_acceptances as api

# The numeric file route first: a slug would also match a file id.
urlpatterns = [
    path("", api.AcceptanceListView.as_view(), name="api-pilots-acceptances"),
    path("<int:pk>/", api.AcceptanceDetailView.as_view(), name="api-pilots-acceptance"),
    path(
        "<int:pk>/files/<int:file_pk>/",
        api.AcceptanceFileDeleteView.as_view(),
        name="api-pilots-acceptance-file-delete",
    ),
    # Kinds are lower-case words: a malformed file id (negative, say) is not taken for a kind.
    re_path(
        r"^(?P<pk>[0-9]+)/files/(?P<kind>[a-z_]+)/$",
        api.AcceptanceFileView.as_view(),
        name="api-pilots-acceptance-file",
    ),
    path("<int:pk>/submit/", api.AcceptanceSubmitView.as_view(), name="api-pilots-acceptance-submit"),
]
