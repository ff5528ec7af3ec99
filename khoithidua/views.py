from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from khoithidua.throttle import reset_allowed


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:  # noqa: ARG001 (a view)
    """Liveness check for load balancers and the benchmark's hello-world reference: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


class ThrottledPasswordResetView(PasswordResetView):
    """Django's password reset, refused with a Vietnamese message past PASSWORD_RESET_LIMIT requests per address
    or email (khoithidua/throttle.py)."""

    def form_valid(self, form):
        if not reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(
                None,
                _("Đã gửi quá nhiều yêu cầu đặt lại mật khẩu. Hãy kiểm tra hộp thư, hoặc thử lại sau %(minutes)s phút.")
                % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
