from django.urls import path

from scoring.scoreboard import views

app_name = "scoring"

urlpatterns = [
    path("", views.scoreboard, name="scoreboard"),
    path("settings/", views.settings_edit, name="settings_edit"),
    path("criteria/new/", views.criterion_create, name="criterion_create"),
    path("criteria/<int:criterion_pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:criterion_pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("bonus/", views.bonus_edit, name="bonus_edit"),
    path("tie-breaks/", views.tie_breaks_edit, name="tie_breaks_edit"),
]
