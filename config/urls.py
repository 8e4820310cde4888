from django.contrib import admin
from django.urls import include, path

from operations import views as operations_views

admin.site.site_header = "Fact sheets administration"
admin.site.site_title = "Fact sheets"
admin.site.index_title = "Editing"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Email alerts for readers: asking, confirming, managing, leaving (alerts/).
    path("alerts/", include("alerts.urls")),
    path("", include("factsheets.urls")),
    # For a load balancer: 200 or 503, never cached (operations/views.py).
    path("healthz", operations_views.healthz, name="healthz"),
]

# Error pages that render without the database and say nothing of the error.
handler400 = "operations.views.bad_request"
handler403 = "operations.views.permission_denied"
handler500 = "operations.views.server_error"
