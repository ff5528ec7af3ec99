"""Background work of the documents app: large PDFs rendered ahead of the user's wait."""

from django_tasks import task

from documents import render


@task()
def render_document(kind: str, bloc_year_id: int, unit_id: int | None, period_id: int | None) -> str:
    """Render a large document ahead of the user's wait; the page polls until it is stored."""
    return render.render_in_worker(kind, bloc_year_id, unit_id, period_id)


@task()
def refresh_documents(bloc_id: int, data_version: int) -> list[str]:
    """After a change to a large bloc's data, render its year-end documents before anybody asks for them."""
    return render.refresh_ahead(bloc_id, data_version)


def schedule_render(prepared: render.Prepared) -> None:
    """Have the worker render this document (``render.get_pdf``'s schedule)."""
    render_document.enqueue(
        prepared.kind.code,
        prepared.bloc_year.pk,
        prepared.unit.pk if prepared.unit else None,
        prepared.period.pk if prepared.period else None,
    )
