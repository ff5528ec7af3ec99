"""The document models move from reports to documents: state only, their tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('core', '0001_initial'),
        ('covenant', '0005_tenancy_moved_to_core'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RenderedDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200, unique=True)),
                        ('code', models.CharField(db_index=True, max_length=120)),
                        ('slot', models.CharField(blank=True, max_length=120)),
                        ('data_version', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('checked_on', models.DateField(blank=True, null=True)),
                        ('status', models.CharField(choices=[('pending', 'Đang tạo'), ('done', 'Đã tạo'), ('failed', 'Lỗi')], default='done', max_length=8)),
                        ('error', models.TextField(blank=True)),
                        ('pdf', models.BinaryField(default=b'')),
                        ('pages', models.PositiveIntegerField(default=0)),
                        ('render_seconds', models.FloatField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'reports_rendereddocument',
                        'indexes': [models.Index(fields=['slot', 'data_version'], name='reports_rendered_slot_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='ContentSynthesis',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(max_length=30000, verbose_name='nội dung tổng hợp')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('bloc_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='syntheses', to='core.blocyear')),
                        ('content', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='covenant.covenantcontent')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'reports_contentsynthesis',
                        'constraints': [models.UniqueConstraint(fields=('bloc_year', 'content'), name='reports_synthesis_once')],
                    },
                ),
                migrations.CreateModel(
                    name='DocumentSetup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20)),
                        ('parent_body', models.CharField(blank=True, max_length=255, verbose_name='cơ quan chủ quản')),
                        ('issuing_body', models.CharField(blank=True, max_length=255, verbose_name='cơ quan ban hành')),
                        ('number', models.CharField(blank=True, help_text='Để trống nếu văn thư ghi số khi phát hành.', max_length=10, verbose_name='số')),
                        ('symbol', models.CharField(blank=True, help_text='Ví dụ: BC-KTCKT', max_length=40, verbose_name='ký hiệu')),
                        ('place', models.CharField(blank=True, max_length=60, verbose_name='địa danh')),
                        ('issued_on', models.DateField(blank=True, null=True, verbose_name='ngày ban hành')),
                        ('sign_form', models.CharField(blank=True, choices=[('', 'Người đứng đầu ký trực tiếp'), ('TM', 'TM. (thay mặt tập thể)'), ('KT', 'KT. (cấp phó ký thay)')], default='', max_length=2, verbose_name='hình thức ký')),
                        ('authority', models.CharField(blank=True, help_text='Sau “TM.” là tên tập thể (KHỐI THI ĐUA); sau “KT.” là chức danh người đứng đầu (TRƯỞNG BAN).', max_length=120, verbose_name='dòng thẩm quyền')),
                        ('signer_title', models.CharField(blank=True, max_length=120, verbose_name='chức vụ người ký')),
                        ('signer_name', models.CharField(blank=True, max_length=120, verbose_name='họ tên người ký')),
                        ('recipients', models.TextField(blank=True, help_text='Mỗi nơi nhận một dòng.', max_length=3000, verbose_name='nơi nhận')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('bloc_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='document_setups', to='core.blocyear')),
                    ],
                    options={
                        'verbose_name': 'thông tin ban hành văn bản',
                        'verbose_name_plural': 'thông tin ban hành văn bản',
                        'db_table': 'reports_documentsetup',
                        'constraints': [models.UniqueConstraint(fields=('bloc_year', 'kind'), name='reports_docsetup_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
