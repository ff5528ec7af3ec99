import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Each unit's province is that of the blocs it was a member of (the latest year's); each membership gets
    its year. A unit on two blocs' lists in one year cannot stay so: the migration names them."""
    Unit = apps.get_model("covenant", "Unit")
    Membership = apps.get_model("covenant", "Membership")
    for m in Membership.objects.select_related("bloc_year").iterator():
        Membership.objects.filter(pk=m.pk).update(year=m.bloc_year.year)
    seen: dict[tuple[int, int], int] = {}
    clashes = []
    for unit_id, year, bloc_year_id in Membership.objects.values_list("unit_id", "year", "bloc_year_id"):
        if (unit_id, year) in seen:
            clashes.append(f"unit {unit_id} in {year} (bloc years {seen[unit_id, year]} and {bloc_year_id})")
        seen[unit_id, year] = bloc_year_id
    if clashes:
        raise RuntimeError(
            "A unit belongs to one bloc a year; remove it from all but one bloc's member list first: "
            + "; ".join(clashes)
        )
    for unit in Unit.objects.filter(province__isnull=True):
        province_id = (
            Membership.objects.filter(unit=unit)
            .order_by("-year")
            .values_list("bloc_year__bloc__province_id", flat=True)
            .first()
        )
        if province_id is not None:
            Unit.objects.filter(pk=unit.pk).update(province_id=province_id)


class Migration(migrations.Migration):
    dependencies = [
        ("covenant", "0003_blocyear_data_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="province",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="units",
                to="covenant.province",
                verbose_name="tỉnh, thành phố",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="năm"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="năm"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(fields=("unit", "year"), name="covenant_membership_one_bloc_a_year"),
        ),
    ]
