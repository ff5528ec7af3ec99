from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str]) -> int:
    """Send one notification email; runs in the db_worker so a slow mail server never delays a request."""
    return send_mail(subject, body, None, recipients, fail_silently=False)
