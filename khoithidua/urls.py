from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import khoithidua.admin  # noqa: F401  (restricts the admin site to superusers)
from core.forms import LoginForm
from documents import views as document_views
from khoithidua.views import ThrottledPasswordResetView, healthz
from workspace import notifications as inbox_views
from workspace import views as workspace_views

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include(auth_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("notifications/", inbox_views.index, name="notifications"),
    path("notifications/read/", inbox_views.read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", inbox_views.open_notification, name="notification_open"),
    path("notifications/<int:pk>/read/", inbox_views.read, name="notification_read"),
    path("province/<slug:code>/", workspace_views.province, name="province"),
    path("search/", workspace_views.search, name="search"),
    path("council/<slug:code>/", include("council.urls")),
    path("blocs/<slug:code>/<int:year>/", include("workspace.urls")),
    path("blocs/<slug:code>/<int:year>/", include("covenant.urls")),
    path("blocs/<slug:code>/<int:year>/scoreboard/", include("scoring.scoreboard.urls")),
    path("blocs/<slug:code>/<int:year>/reports/", include("reports.urls")),
    path("blocs/<slug:code>/<int:year>/scores/", include("scoring.sheets.urls")),
    path("blocs/<slug:code>/<int:year>/review/", include("scoring.meeting.urls")),
    path("blocs/<slug:code>/<int:year>/documents/", include("documents.urls")),
    path("blocs/<slug:code>/<int:year>/awards/", include("awards.urls")),
    path("blocs/<slug:code>/<int:year>/dossier/", include("council.bloc_urls")),
    path("verify/", document_views.verify, name="verify"),
    path("verify/<str:code>/", document_views.verify_code, name="verify_code"),
]
