"""A large bloc's data changed: its year-end documents are rendered again before anybody asks for them."""

from django.dispatch import receiver

from core.dataversion import versions_raised
from core.models import Bloc
from documents.render import large_bloc_years
from documents.tasks import refresh_documents


@receiver(versions_raised)
def render_large_documents_ahead(*, bloc_ids: list[int], **kwargs) -> None:
    """Queue the refresh of the large blocs' year-end documents (one query when none is large)."""
    large = {bloc_year.bloc_id for bloc_year in large_bloc_years(bloc_ids)}
    for bloc_id, data_version in Bloc.objects.filter(pk__in=large).values_list("pk", "data_version"):
        refresh_documents.enqueue(bloc_id, data_version)
