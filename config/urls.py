from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fact sheets administration"
admin.site.site_title = "Fact sheets"
admin.site.index_title = "Editing"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("factsheets.urls")),
]

handler500 = "factsheets.views.server_error"
