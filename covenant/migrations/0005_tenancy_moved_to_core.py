"""The tenancy models now live in core: covenant forgets them (state only, no table changes)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('covenant', '0004_unit_province_membership_year'),
        ('reports', '0005_tenancy_and_documents_moved'),
        ('scoring', '0004_tenancy_moved_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='bloc',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='blocyear',
                    name='bloc',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='bloc',
                ),
                migrations.AlterField(
                    model_name='covenant',
                    name='bloc_year',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='covenant', to='core.blocyear'),
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='bloc_year',
                ),
                migrations.RemoveField(
                    model_name='membership',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='province',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='profile',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='unit',
                    name='province',
                ),
                migrations.DeleteModel(
                    name='AuditEntry',
                ),
                migrations.DeleteModel(
                    name='Bloc',
                ),
                migrations.DeleteModel(
                    name='BlocYear',
                ),
                migrations.DeleteModel(
                    name='Membership',
                ),
                migrations.DeleteModel(
                    name='Profile',
                ),
                migrations.DeleteModel(
                    name='Province',
                ),
                migrations.DeleteModel(
                    name='Unit',
                ),
            ],
            database_operations=[],
        ),
    ]
