"""The dashboard's card of the viewer's unit across the years, drawn from the page's own context (the dashboard's view
belongs to workspace/: the card needs nothing from it but the year and the viewer)."""

from django import template

from scoring.sheets.charts import unit_years
from scoring.sheets.ranking import unit_results

register = template.Library()


@register.inclusion_tag("scores/_unit_years_card.html", takes_context=True)
def own_unit_years(context) -> dict:
    access, bloc_year = context.get("access"), context.get("bloc_year")
    unit = access.unit if access is not None else None
    if bloc_year is None or unit is None:
        return {"chart": None}
    results = unit_results(bloc_year, unit.pk)
    # One decided year is a number, not a trend: the ranking page shows it.
    return {
        "chart": unit_years(results) if len(results) > 1 else None,
        "results": results,
        "unit": unit,
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
    }
