"""What every app's views share: the year's navigation context, and a service's refusal shown where it belongs."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest

from core.access import visible_bloc_years
from core.errors import ServiceError
from core.models import BlocYear


def year_context(request: HttpRequest, bloc_year: BlocYear, nav: str, **extra) -> dict:
    """The context of a bloc-year page: the year, the user's standing, the years in the switcher, the active tab."""
    years = list(
        visible_bloc_years(request.user)
        .filter(bloc_id=bloc_year.bloc_id)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    return {
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "access": request.access,
        "years": years,
        "nav": nav,
        "phases": BlocYear.PHASE_ORDER,
        **extra,
    }


def form_error(form, error: ServiceError) -> None:
    """Show a service's refusal at the field(s) it names, else at the top of the form."""
    if error.errors:
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@dataclass
class Outcome:
    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _Shown:
    def __init__(self, show):
        self.outcome = Outcome()
        self._show = show

    def __enter__(self) -> Outcome:
        return self.outcome

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, ServiceError):
            self.outcome.error = exc
            self._show(exc)
            return True
        return False


def errors_on(form) -> _Shown:
    """Call a service; if it refuses, show why on the form (at its field)::

    with errors_on(form) as outcome:
        services.save_content(...)
    if outcome.ok:
        return redirect(...)
    """
    return _Shown(lambda error: form_error(form, error))


def errors_as_message(request: HttpRequest) -> _Shown:
    """The same for a button without a form: the refusal becomes the page's error message."""
    return _Shown(lambda error: messages.error(request, error.message))


def post_data(request: HttpRequest):
    """What a form is bound to: the POST of a POST, even an empty one (`request.POST or None` would leave a POST
    of nothing but unticked boxes unbound, and the page would come back with no error), else nothing."""
    return request.POST if request.method == "POST" else None


def post_files(request: HttpRequest):
    return request.FILES if request.method == "POST" else None
