from django.urls import path

from scoring.meeting import views

app_name = "review"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("meeting/", views.meeting_edit, name="meeting"),
    path("outcome/", views.outcome_edit, name="outcome"),
    path("ballots/new/", views.ballot_create, name="ballot_create"),
    path("ballots/default/", views.ballots_default, name="ballots_default"),
    path("ballots/<int:ballot_pk>/edit/", views.ballot_edit, name="ballot_edit"),
    path("ballots/<int:ballot_pk>/open/", views.ballot_open, name="ballot_open"),
    path("ballots/<int:ballot_pk>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:ballot_pk>/count/", views.ballot_count, name="ballot_count"),
    path("ballots/<int:ballot_pk>/reopen/", views.ballot_reopen, name="ballot_reopen"),
    path("ballots/<int:ballot_pk>/vote/", views.vote, name="vote"),
    path("ballots/<int:ballot_pk>/paper/", views.paper_count, name="paper_count"),
]
