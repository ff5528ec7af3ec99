"""The awards register page of a bloc year: the member units' awards received, entered by the secretariat."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from awards import services
from awards.forms import AwardForm
from awards.models import Award
from core.decorators import bloc_year_view
from core.models import BlocYear, Unit
from core.pages import errors_on, post_data, year_context


@bloc_year_view(manage=True)
def index(request: HttpRequest, bloc_year: BlocYear) -> HttpResponse:
    units = Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("memberships__order")
    form = AwardForm(post_data(request), units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            services.record_award(
                bloc_year=bloc_year,
                unit=d["unit"],
                kind=d["kind"],
                title=d["title"],
                year=d["year"],
                decision_number=d["decision_number"],
                decision_date=d["decision_date"],
                issuer=d["issuer"],
                by=request.user,
            )
        if outcome.ok:
            messages.success(request, _("Đã ghi vào sổ khen thưởng."))
            return redirect("awards:index", code=bloc_year.bloc.code, year=bloc_year.year)
    awards = list(Award.objects.filter(unit__in=units).select_related("unit").order_by("unit__name", "year"))
    return render(request, "awards/index.html", year_context(request, bloc_year, "documents", awards=awards, form=form))
