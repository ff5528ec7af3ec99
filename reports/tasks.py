from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one notification email; runs in the db_worker so a slow mail server never delays a request."""
    return send_mail(subject, body, None, recipients, fail_silently=False)


@task()
def render_document(kind: str, bloc_year_id: int, unit_id: int | None, period_id: int | None) -> str:
    """Render a large document ahead of the user's wait; the page polls until it is stored."""
    from reports.documents.render import resolve, store

    prepared = resolve(kind, bloc_year_id, unit_id, period_id)
    return store(prepared).key
