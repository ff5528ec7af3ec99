"""Background work of the reporting app, run by the task worker (django-tasks, database backend)."""

from django_tasks import task

from reports import notify


@task()
def notify_report(event: str, report_pk: int) -> None:
    """Tell who must know that a report was submitted or returned: recipients and text worked out by the worker,
    not by the officer's request."""

    {"submitted": notify.report_submitted, "returned": notify.report_returned}[event](report_pk)
