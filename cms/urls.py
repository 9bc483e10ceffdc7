from django.urls import path
from wagtail import views as wagtail_views

from cms import views

urlpatterns = [
    # The portal home is the tenant's Wagtail home page; the name keeps `{% url 'home' %}` and redirects working.
    path("", wagtail_views.serve, {"path": ""}, name="home"),
    path("national-notices/<int:pk>/", views.nationwide_notice_detail, name="nationwide-notice"),
    path("search/", views.search, name="portal-search"),
]
