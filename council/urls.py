from django.urls import path

from council import views

app_name = "council"

urlpatterns = [
    path("", views.index, name="index"),
    path("blocs/new/", views.bloc_create, name="bloc_create"),
    path("blocs/<slug:bloc>/", views.bloc, name="bloc"),
    path("blocs/<slug:bloc>/edit/", views.bloc_edit, name="bloc_edit"),
    path("blocs/<slug:bloc>/years/new/", views.year_create, name="year_create"),
    path("blocs/<slug:bloc>/<int:year>/", views.bloc_year, name="bloc_year"),
    path("blocs/<slug:bloc>/<int:year>/members/", views.members_edit, name="members_edit"),
    path("blocs/<slug:bloc>/<int:year>/secretariat/new/", views.secretariat_create, name="secretariat_create"),
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:unit_pk>/", views.unit, name="unit"),
    path("units/<int:unit_pk>/rename/", views.unit_rename, name="unit_rename"),
    path("units/<int:unit_pk>/merge/", views.unit_merge, name="unit_merge"),
    path("units/<int:unit_pk>/move/", views.unit_move, name="unit_move"),
    path("quota/", views.quota, name="quota"),
    path("dossiers/", views.dossiers, name="dossiers"),
    path("dossiers/<slug:bloc>/<int:year>/", views.dossier, name="dossier"),
    path("dossiers/<slug:bloc>/<int:year>/return/", views.dossier_return, name="dossier_return"),
    path("dossiers/<slug:bloc>/<int:year>/accept/", views.dossier_accept, name="dossier_accept"),
    path("dossiers/<slug:bloc>/<int:year>/decision/", views.decision, name="decision"),
    path("units/<int:unit_pk>/awards/new/", views.award_add, name="award_add"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:table>.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("import/year/", views.import_year, name="import_year"),
    path("import/year/template.xlsx", views.import_year_template, name="import_year_template"),
    path("import/units/", views.import_units, name="import_units"),
    path("import/units/template.xlsx", views.import_units_template, name="import_units_template"),
]
