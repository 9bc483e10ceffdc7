"""/api/v1/ecosystem/: anchor units, declarations, products, pools, changes."""

urlpatterns = []
