"""The bloc's side of its dossier: where it stands, and the secretariat's step that sends it to the province."""

from django.urls import path

from council import bloc_views

app_name = "dossier"

urlpatterns = [
    path("", bloc_views.status, name="status"),
    path("submit/", bloc_views.submit, name="submit"),
]
