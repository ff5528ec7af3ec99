"""After the moves (tenancy to core, documents out of reports): content types and the audit log's target types name
the models' new apps, so that admin history and the change history keep finding their objects."""

from django.db import migrations

MOVED = {
    "covenant": ("core", ["province", "bloc", "unit", "blocyear", "membership", "profile", "auditentry"]),
    "reports": ("documents", ["documentsetup", "contentsynthesis", "rendereddocument"]),
}


def forwards(apps, schema_editor, moved=MOVED):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for old, (new, models) in moved.items():
        for model in models:
            if not ContentType.objects.filter(app_label=new, model=model).exists():
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
            AuditEntry.objects.filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")


def backwards(apps, schema_editor):
    forwards(apps, schema_editor, {new: (old, models) for old, (new, models) in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("covenant", "0005_tenancy_moved_to_core"),
        ("documents", "0001_initial"),
        ("reports", "0005_tenancy_and_documents_moved"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
