from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("clientes/", include("customers.urls")),
    path("zonas/", include("zones.urls")),
    path("importaciones/", include("core.urls")),
    path("telemercadeo/", include("telemarketing.urls")),
    path("visitas/", include("visits.urls")),
    path("tarifas/", include("tariffs.urls")),
    path("catastro/", include("subscribers.urls")),
    path("terminaciones/", include("terminations.urls")),
    path("vinculaciones/", include("onboarding.urls")),
    path("ordenes/", include("service_orders.urls")),
    path("operaciones/", include("field_work.urls")),
    path("facturacion/", include("billing.urls")),
    path("", include("certificates.urls")),
    path("", include("quote_requests.urls")),
    path("", include("quotations.urls")),
    path("admin/", admin.site.urls),
]
