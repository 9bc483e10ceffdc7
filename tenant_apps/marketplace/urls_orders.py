"""URLs of the marketplace's buying pages (/workbench/market/…): cart, confirm, orders, sales, reviews, bank account.

The public product page posts `spec` and `quantity` to `market-cart-add` and `market-buy-now`."""

from django.urls import path

from tenant_apps.marketplace import order_views as views

urlpatterns = [
    path("cart/", views.cart, name="market-cart"),
    path("cart/add/", views.cart_add, name="market-cart-add"),
    path("buy-now/", views.buy_now, name="market-buy-now"),
    path("orders/confirm/", views.order_confirm, name="market-order-confirm"),
    path("orders/", views.my_orders, name="market-orders"),
    path("orders/<int:pk>/", views.order_detail, name="market-order"),
    path("proofs/<int:pk>/files/<int:file_pk>/", views.proof_file, name="market-proof-file"),
    path("sales/", views.sales, name="market-sales"),
    path("reviews/", views.reviews, name="market-reviews"),
    path("my-ratings/", views.my_ratings, name="market-my-ratings"),
    path("bank-account/", views.bank_account, name="market-bank-account"),
]
