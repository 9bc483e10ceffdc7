from django.db import connection


def tenant(request):
    """The current tenant and its enabled modules, for menus and branding in every template."""
    current = getattr(request, "tenant", None)
    return {"current_tenant": current, "schema_name": connection.schema_name}
