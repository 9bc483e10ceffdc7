from django.shortcuts import render


def UnknownHostView(request):  # noqa: N802 - named as a view class by DEFAULT_NOT_FOUND_TENANT_VIEW
    """No tenant serves this host: a plain 404 page, never a stack trace or another tenant's data."""
    return render(request, "errors/unknown_host.html", {"host": request.get_host()}, status=404)
