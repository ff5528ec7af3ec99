from django.dispatch import receiver

from covenant.dataversion import versions_raised
from covenant.models import Bloc


@receiver(versions_raised)
def render_large_documents_ahead(sender, bloc_ids: list[int], **kwargs) -> None:
    """A large bloc's data changed: queue the refresh of its year-end documents (one query when none is large)."""
    from reports.documents.render import large_bloc_years
    from reports.tasks import refresh_documents

    large = {bloc_year.bloc_id for bloc_year in large_bloc_years(bloc_ids)}
    for bloc_id, data_version in Bloc.objects.filter(pk__in=large).values_list("pk", "data_version"):
        refresh_documents.enqueue(bloc_id, data_version)
