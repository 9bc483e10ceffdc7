"""The anchor unit's alliance and pool, the city's overview, exports."""

urlpatterns = []
