from django.urls import path

from scoring.sheets import views

app_name = "scores"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("mine/", views.mine, name="mine"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/units/<int:unit_pk>/", views.unit_history, name="unit_history"),
    path("assign/", views.assign, name="assign"),
    path("release/", views.release, name="release"),
    path("approve/", views.approve, name="approve"),
    path("reopen/", views.reopen, name="reopen"),
    path("sheets/<int:sheet_pk>/", views.sheet_detail, name="sheet"),
    path("sheets/<int:sheet_pk>/edit/", views.sheet_edit, name="edit"),
    path("sheets/<int:sheet_pk>/submit/", views.sheet_submit, name="submit"),
    path("sheets/<int:sheet_pk>/review/", views.sheet_review, name="review"),
    path("sheets/<int:sheet_pk>/respond/", views.sheet_respond, name="respond"),
    path("sheets/<int:sheet_pk>/deductions/add/", views.deduction_add, name="deduction_add"),
    path("sheets/<int:sheet_pk>/deductions/waive/", views.deduction_waive, name="deduction_waive"),
    path("deductions/<int:deduction_pk>/remove/", views.deduction_remove, name="deduction_remove"),
    path("items/<int:item_pk>/settle/", views.item_settle, name="settle"),
]
