"""Public pages: 上架产品 and the anchor units with their alliances."""

urlpatterns = []
