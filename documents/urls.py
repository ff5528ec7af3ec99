from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("synthesis/", views.synthesis, name="synthesis"),
    path("ranking.xlsx", views.ranking_xlsx, name="ranking_xlsx"),
    path("board.xlsx", views.board_xlsx, name="board_xlsx"),
    path("register/", views.register, name="register"),
    path("register/issue/", views.issue, name="issue"),
    path("register/<int:entry_pk>/scan/", views.scan_upload, name="scan_upload"),
    path("register/<int:entry_pk>/record-copy", views.scan_download, name="scan_download"),
    path("legal/", views.legal_frame, name="legal_frame"),
    path("<slug:kind>.docx", views.docx, name="docx"),
    path("achievement/units/<int:unit_pk>.docx", views.achievement_docx, name="achievement_docx"),
    path("<slug:kind>/setup/", views.setup, name="setup"),
    path("<slug:kind>.pdf", views.pdf, name="pdf"),
    path("<slug:kind>/units/<int:unit_pk>.pdf", views.unit_pdf, name="unit_pdf"),
    path("progress/units/<int:unit_pk>/periods/<int:period_pk>.pdf", views.progress_pdf, name="progress_pdf"),
]
