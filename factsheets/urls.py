from django.urls import path

from factsheets import views

app_name = "factsheets"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon),
    path("bureaus/<slug:slug>/", views.bureau_detail, name="bureau"),
    path("fact-sheets/preview/<int:pk>/", views.factsheet_preview, name="preview"),
    path("fact-sheets/<slug:country_slug>/", views.factsheet_detail, name="detail"),
]
