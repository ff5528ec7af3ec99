"""Mail delivery through the task worker, so that a slow mail server never delays a request."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one email (from DEFAULT_FROM_EMAIL)."""
    return send_mail(subject, body, None, recipients, fail_silently=False)
