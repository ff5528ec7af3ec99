"""Foreign keys now point to core; the document models now live in documents (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('reports', '0004_document_checked_on'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='contentsynthesis',
                    name='bloc_year',
                ),
                migrations.RemoveField(
                    model_name='contentsynthesis',
                    name='content',
                ),
                migrations.RemoveField(
                    model_name='contentsynthesis',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='documentsetup',
                    name='bloc_year',
                ),
                migrations.DeleteModel(
                    name='RenderedDocument',
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='core.blocyear'),
                ),
                migrations.AlterField(
                    model_name='evidence',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evidence', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='extension',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.unit', verbose_name='đơn vị'),
                ),
                migrations.AlterField(
                    model_name='progressreport',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='progress_reports', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='reminderlog',
                    name='unit',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.unit'),
                ),
                migrations.AlterField(
                    model_name='reportingperiod',
                    name='bloc_year',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='periods', to='core.blocyear'),
                ),
                migrations.DeleteModel(
                    name='ContentSynthesis',
                ),
                migrations.DeleteModel(
                    name='DocumentSetup',
                ),
            ],
            database_operations=[],
        ),
    ]
