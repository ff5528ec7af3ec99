from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("board/accept/", views.board_accept, name="board_accept"),
    path("board/remind/", views.board_remind, name="board_remind"),
    path("periods/", views.periods, name="periods"),
    path("periods/default/", views.periods_default, name="periods_default"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/<int:period_pk>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:period_pk>/extension/", views.extension_grant, name="extension_grant"),
    path("periods/<int:period_pk>/start/", views.start, name="start"),
    path("periods/<int:period_pk>/contents/<int:content_pk>/", views.synthesis, name="synthesis"),
    path("<int:report_pk>/", views.report_detail, name="report"),
    path("<int:report_pk>/edit/", views.report_edit, name="edit"),
    path("<int:report_pk>/submit/", views.report_submit, name="submit"),
    path("<int:report_pk>/review/", views.report_review, name="review"),
    path("<int:report_pk>/reopen/", views.report_reopen, name="reopen"),
    path("evidence/", views.evidence_list, name="evidence"),
    path("evidence/<int:evidence_pk>/download/", views.evidence_download, name="evidence_download"),
]
