"""The bloc's dossier pages (under the bloc year's URLs)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import bloc_year_view
from core.models import AuditEntry, BlocYear
from core.pages import errors_as_message, year_context
from council import services
from council.models import Dossier


@bloc_year_view()
def status(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    dossier = Dossier.objects.filter(bloc_year=bloc_year).first()
    history = list(
        AuditEntry.objects.filter(bloc_year=bloc_year, action__startswith="dossier.").select_related("actor")
    )
    return render(request, "council/bloc_dossier.html", year_context(
        request, bloc_year, "dossier", dossier=dossier, proposals=services.proposals_of(bloc_year),
        checks=services.checklist(bloc_year) if request.access.reads_submitted else [], history=history,
    ))


@require_POST
@bloc_year_view(manage=True)
def submit(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    with errors_as_message(request) as outcome:
        services.submit_dossier(bloc_year=bloc_year, by=request.user)
    if outcome.ok:
        messages.success(request, _("Đã gửi hồ sơ đề nghị khen thưởng lên tỉnh."))
    return redirect("dossier:status", code=bloc_year.bloc.code, year=bloc_year.year)
