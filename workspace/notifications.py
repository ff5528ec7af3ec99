"""The user's own inbox of in-app notifications (core/notifications.py): a list, unread first, read per user."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import notifications
from core.models import Notification

PER_PAGE = 20
BIGINT_MAX = 2**63 - 1


def _own(request: HttpRequest, pk: int) -> Notification:
    """The user's own notification, else 404 (another user's as well as none at all; SQLite cannot even be asked
    about an id past 64 bits)."""
    if pk > BIGINT_MAX:
        raise Http404
    return get_object_or_404(Notification, pk=pk, user=request.user)


def _back(request: HttpRequest) -> str:
    """The list again, on the page the button was pressed on."""
    page = request.POST.get("page", "")
    url = reverse("notifications")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Unread first, newest first within each; a page of PER_PAGE (two queries: the count and the page)."""
    rows = (
        Notification.objects.filter(user=request.user)
        .select_related("bloc_year__bloc")
        .annotate(unread=Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-unread", "-created_at", "-id")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/notifications.html",
        {"page_obj": page, "unread": notifications.unread_count(request.user)},
    )


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link from the app: it is read from then on. Only ever to a page of this site."""
    note = _own(request, pk)
    notifications.mark_read(request.user, note.pk)
    return redirect(notifications.safe_url(request, note.url) or reverse("notifications"))


@require_POST
@login_required
def read(request: HttpRequest, pk: int) -> HttpResponse:
    note = _own(request, pk)
    notifications.mark_read(request.user, note.pk)
    return redirect(_back(request))


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(request.user)
    return redirect(_back(request))
