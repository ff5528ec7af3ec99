from django.urls import path

from covenant import views

app_name = "covenant"

urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/edit/", views.members_edit, name="members_edit"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("covenant/", views.covenant_detail, name="covenant"),
    path("covenant/edit/", views.covenant_edit, name="covenant_edit"),
    path("covenant/contents/new/", views.content_create, name="content_create"),
    path("covenant/contents/<int:content_pk>/edit/", views.content_edit, name="content_edit"),
    path("covenant/contents/<int:content_pk>/delete/", views.content_delete, name="content_delete"),
    path("phase/advance/", views.phase_advance, name="phase_advance"),
    path("phase/revert/", views.phase_revert, name="phase_revert"),
    path("next-year/", views.start_next_year, name="start_next_year"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/handover/", views.handover, name="handover"),
    path("accounts/<int:account_pk>/toggle/", views.account_toggle, name="account_toggle"),
    path("accounts/<int:account_pk>/password/", views.account_password, name="account_password"),
    path("accounts/<int:account_pk>/unlock/", views.account_unlock, name="account_unlock"),
    path("history/", views.history, name="history"),
]
