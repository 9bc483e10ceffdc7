"""API of buying under /api/v1/market/."""

from django.urls import path

from tenant_apps.marketplace import api_orders as api

urlpatterns = [
    path("cart/", api.CartView.as_view(), name="api-market-cart"),
    path("cart/<int:pk>/", api.CartItemView.as_view(), name="api-market-cart-item"),
    path("cart/checkout/", api.CheckoutView.as_view(), name="api-market-checkout"),
    path("buy-now/", api.BuyNowView.as_view(), name="api-market-buy-now"),
    path("checkout-preview/", api.CheckoutPreviewView.as_view(), name="api-market-checkout-preview"),
    path("orders/", api.BuyerOrdersView.as_view(), name="api-market-orders"),
    path("orders/<int:pk>/", api.OrderDetailView.as_view(), name="api-market-order"),
    path("orders/<int:pk>/payment-proofs/", api.PaymentProofView.as_view(), name="api-market-order-proofs"),
    path("orders/<int:pk>/<slug:action>/", api.OrderActionView.as_view(), name="api-market-order-action"),
    path("order-lines/<int:pk>/rating/", api.LineRatingView.as_view(), name="api-market-line-rating"),
    path("provider/orders/", api.ProviderOrdersView.as_view(), name="api-market-provider-orders"),
    path("provider/ratings/", api.ProviderRatingsView.as_view(), name="api-market-provider-ratings"),
    path("provider/bank-account/", api.BankAccountView.as_view(), name="api-market-bank-account"),
]
