"""The anchor unit's alliance and pool, the city's overview, exports (included at /workbench/ecosystem/)."""

from django.urls import path

from tenant_apps.ecosystem import city_views as views

urlpatterns = [
    path("alliance/", views.alliance, name="ecosystem-alliance"),
    path("alliance/export/", views.alliance_export, name="ecosystem-alliance-export"),
    path("alliance/members/<int:pk>/leave/", views.member_leave, name="ecosystem-member-leave"),
    path("overview/", views.overview, name="ecosystem-overview"),
    path("overview/export/", views.overview_export, name="ecosystem-overview-export"),
    path("overview/units/<int:pk>/", views.unit_alliance, name="ecosystem-unit"),
    path("overview/units/<int:pk>/export/", views.unit_export, name="ecosystem-unit-export"),
]
