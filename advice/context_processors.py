from django.conf import settings


def site(request):
    """Site-wide template values: ``site_name``."""
    return {"site_name": settings.SITE_NAME}
