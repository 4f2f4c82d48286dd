from django.conf import settings


def company(request):
    """Expose the company's letterhead to every template."""
    return {
        "company": {
            "name": settings.COMPANY_NAME,
            "nit": settings.COMPANY_NIT,
            "address": settings.COMPANY_ADDRESS,
            "phone": settings.COMPANY_PHONE,
        }
    }
