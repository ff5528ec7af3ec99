"""Foreign keys now point to core (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('scoring', '0003_voting'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='awardproposal',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='award_proposals', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='awardproposal',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit', verbose_name='đơn vị'),
                ),
                migrations.AlterField(
                    model_name='ballot',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ballots', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='candidate',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='ranksnapshot',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rank_snapshots', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='ranksnapshot',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rank_snapshots', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='reviewmeeting',
                    name='bloc_year',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review_meeting', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='reviewmeeting',
                    name='elected_deputy',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit', verbose_name='Phó trưởng khối năm sau'),
                ),
                migrations.AlterField(
                    model_name='reviewmeeting',
                    name='elected_head',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit', verbose_name='Trưởng khối năm sau'),
                ),
                migrations.AlterField(
                    model_name='reviewmeeting',
                    name='present_units',
                    field=models.ManyToManyField(blank=True, related_name='+', to='core.unit', verbose_name='đơn vị có mặt'),
                ),
                migrations.AlterField(
                    model_name='scoreboard',
                    name='bloc_year',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='scoreboard', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='scoresheet',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='score_sheets', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='scoresheet',
                    name='reviewer_unit',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sheets_to_review', to='core.unit', verbose_name='đơn vị thẩm định'),
                ),
                migrations.AlterField(
                    model_name='scoresheet',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='score_sheets', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='scoringround',
                    name='bloc_year',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='scoring_round', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='voterrecord',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.unit'),
                ),
            ],
            database_operations=[],
        ),
    ]
