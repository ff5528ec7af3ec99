from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one notification email; runs in the db_worker so a slow mail server never delays a request."""
    return send_mail(subject, body, None, recipients, fail_silently=False)


@task()
def notify_report(event: str, report_pk: int) -> None:
    """Tell who must know that a report was submitted or returned: recipients and text worked out by the worker,
    not by the officer's request."""
    from reports import notify

    {"submitted": notify.report_submitted, "returned": notify.report_returned}[event](report_pk)


@task()
def render_document(kind: str, bloc_year_id: int, unit_id: int | None, period_id: int | None) -> str:
    """Render a large document ahead of the user's wait; the page polls until it is stored."""
    from reports.documents.render import render_in_worker

    return render_in_worker(kind, bloc_year_id, unit_id, period_id)


@task()
def refresh_documents(bloc_id: int, data_version: int) -> list[str]:
    """After a change to a large bloc's data, render its year-end documents before anybody asks for them."""
    from reports.documents.render import refresh_ahead

    return refresh_ahead(bloc_id, data_version)
