from django.contrib import admin
from django.urls import include, path

from factsheets import failures

admin.site.site_header = "Fact sheets administration"
admin.site.site_title = "Fact sheets"
admin.site.index_title = "Editing"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("factsheets.urls")),
    # For a load balancer: 200 or 503, never cached (factsheets/failures.py).
    path("healthz", failures.healthz, name="healthz"),
]

# Error pages that render without the database and say nothing of the error.
handler400 = "factsheets.failures.bad_request"
handler403 = "factsheets.failures.permission_denied"
handler500 = "factsheets.failures.server_error"
