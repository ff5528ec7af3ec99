from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:  # noqa: ARG001 (a view)
    """Liveness check for load balancers and the benchmark's hello-world reference: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")
