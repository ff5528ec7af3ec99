"""The tenancy models move from covenant to the kernel: state only, their tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("covenant", "0004_unit_province_membership_year"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Bloc',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(help_text='Mã ngắn, duy nhất trong hệ thống, ví dụ khoi-tckt.', max_length=40, unique=True, verbose_name='mã khối')),
                        ('name', models.CharField(max_length=255, verbose_name='tên khối thi đua')),
                        ('description', models.TextField(blank=True, verbose_name='mô tả')),
                        ('parent_body', models.CharField(blank=True, max_length=255, verbose_name='cơ quan chủ quản')),
                        ('data_version', models.PositiveBigIntegerField(default=0, editable=False)),
                    ],
                    options={
                        'verbose_name': 'khối thi đua',
                        'verbose_name_plural': 'khối thi đua',
                        'db_table': 'covenant_bloc',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Province',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, unique=True, verbose_name='mã')),
                        ('name', models.CharField(max_length=100, verbose_name='tên tỉnh, thành phố')),
                        ('data_version', models.PositiveBigIntegerField(default=0, editable=False)),
                    ],
                    options={
                        'verbose_name': 'tỉnh, thành phố',
                        'verbose_name_plural': 'tỉnh, thành phố',
                        'db_table': 'covenant_province',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='BlocYear',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='năm')),
                        ('phase', models.CharField(choices=[('setup', 'Thiết lập'), ('reporting', 'Báo cáo định kỳ'), ('scoring', 'Chấm điểm'), ('review', 'Bình xét'), ('published', 'Đã công bố')], default='setup', max_length=20, verbose_name='giai đoạn')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('data_version', models.PositiveBigIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('bloc', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='years', to='core.bloc', verbose_name='khối')),
                    ],
                    options={
                        'verbose_name': 'năm thi đua',
                        'verbose_name_plural': 'năm thi đua',
                        'db_table': 'covenant_blocyear',
                        'ordering': ['bloc__name', '-year'],
                    },
                ),
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(verbose_name='thời điểm')),
                        ('action', models.CharField(max_length=60, verbose_name='thao tác')),
                        ('target_type', models.CharField(max_length=60)),
                        ('target_id', models.CharField(blank=True, max_length=40)),
                        ('target_repr', models.CharField(max_length=255, verbose_name='đối tượng')),
                        ('before', models.JSONField(blank=True, null=True)),
                        ('after', models.JSONField(blank=True, null=True)),
                        ('reason', models.TextField(blank=True, verbose_name='lý do')),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('bloc_year', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='audit_entries', to='core.blocyear')),
                    ],
                    options={
                        'verbose_name': 'nhật ký thay đổi',
                        'verbose_name_plural': 'nhật ký thay đổi',
                        'db_table': 'covenant_auditentry',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='bloc',
                    name='province',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='blocs', to='core.province', verbose_name='tỉnh, thành phố'),
                ),
                migrations.CreateModel(
                    name='Unit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='mã đơn vị')),
                        ('name', models.CharField(max_length=255, verbose_name='tên chính thức')),
                        ('short_name', models.CharField(max_length=80, verbose_name='tên viết tắt')),
                        ('address', models.CharField(blank=True, max_length=255, verbose_name='địa chỉ')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='điện thoại')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='thư điện tử')),
                        ('head_name', models.CharField(blank=True, max_length=120, verbose_name='thủ trưởng đơn vị')),
                        ('province', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='units', to='core.province', verbose_name='tỉnh, thành phố')),
                    ],
                    options={
                        'verbose_name': 'đơn vị',
                        'verbose_name_plural': 'đơn vị',
                        'db_table': 'covenant_unit',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Profile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('officer', 'Cán bộ đơn vị'), ('secretariat', 'Văn phòng khối (thư ký)'), ('leader', 'Lãnh đạo'), ('provincial', 'Theo dõi cấp tỉnh')], max_length=20, verbose_name='vai trò')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='điện thoại')),
                        ('bloc', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='leaders', to='core.bloc')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='profile', to=settings.AUTH_USER_MODEL)),
                        ('province', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='viewers', to='core.province')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='profiles', to='core.unit')),
                    ],
                    options={
                        'verbose_name': 'hồ sơ người dùng',
                        'verbose_name_plural': 'hồ sơ người dùng',
                        'db_table': 'covenant_profile',
                    },
                ),
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(editable=False, verbose_name='năm')),
                        ('order', models.PositiveSmallIntegerField(verbose_name='STT')),
                        ('role', models.CharField(choices=[('head', 'Trưởng khối'), ('deputy', 'Phó trưởng khối'), ('member', 'Thành viên')], default='member', max_length=10, verbose_name='vai trò trong năm')),
                        ('bloc_year', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='core.blocyear')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='core.unit', verbose_name='đơn vị')),
                    ],
                    options={
                        'verbose_name': 'đơn vị thành viên',
                        'verbose_name_plural': 'đơn vị thành viên',
                        'db_table': 'covenant_membership',
                        'ordering': ['bloc_year', 'order'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='blocyear',
                    constraint=models.UniqueConstraint(fields=('bloc', 'year'), name='covenant_blocyear_one_per_year'),
                ),
                migrations.AddConstraint(
                    model_name='blocyear',
                    constraint=models.CheckConstraint(condition=models.Q(('year__gte', 2000), ('year__lte', 2100)), name='covenant_blocyear_year_range'),
                ),
                migrations.AddIndex(
                    model_name='auditentry',
                    index=models.Index(fields=['target_type', 'target_id'], name='covenant_audit_target_idx'),
                ),
                migrations.AddConstraint(
                    model_name='profile',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('role__in', ['officer', 'secretariat']), ('unit__isnull', False)), models.Q(('bloc__isnull', False), ('role', 'leader')), models.Q(('province__isnull', False), ('role', 'provincial')), _connector='OR'), name='covenant_profile_scope_matches_role'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('bloc_year', 'unit'), name='covenant_membership_unit_once'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('unit', 'year'), name='covenant_membership_one_bloc_a_year'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('bloc_year', 'order'), name='covenant_membership_order_unique'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(condition=models.Q(('role', 'head')), fields=('bloc_year',), name='covenant_membership_one_head'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(condition=models.Q(('role', 'deputy')), fields=('bloc_year',), name='covenant_membership_one_deputy'),
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.CheckConstraint(condition=models.Q(('order__gte', 1)), name='covenant_membership_order_positive'),
                ),
            ],
            database_operations=[],
        ),
    ]
