"""API routes (stub, filled by its author)."""

urlpatterns: list = []
