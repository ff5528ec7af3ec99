"""Online ballots: one sealed paper a row (inserted once, never rewritten) instead of one re-encrypted box a ballot.

A ballot still open keeps its papers: each paper of its box becomes its own row, sealed to the server as before (the
board's key did not exist when it opened). Closed ballots keep their stored tallies and count as counted.
"""

import base64
import hashlib
import json
import random
import uuid

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

import scoring.meeting.models

PAPER_BYTES = 256  # scoring.meeting.services.PAPER_BYTES, kept here as it was when written


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"khoithidua.ballot-box:" + k.encode()).digest()))
            for k in keys
        ]
    )


def split_boxes(apps, schema_editor):
    Ballot = apps.get_model("scoring", "Ballot")
    SealedVote = apps.get_model("scoring", "SealedVote")
    Ballot.objects.filter(status="closed").update(counted_at=F("closed_at"))
    rng = random.SystemRandom()
    for ballot in Ballot.objects.filter(status="open").exclude(sealed_box=b""):
        papers = json.loads(_fernet().decrypt(bytes(ballot.sealed_box)))
        orders = dict(ballot.candidates.values_list("pk", "order"))
        rng.shuffle(papers)
        rows = []
        for paper in papers:
            bitmap = bytearray(PAPER_BYTES)
            for candidate_id in paper:
                order = orders[candidate_id]
                bitmap[order // 8] |= 1 << (order % 8)
            rows.append(SealedVote(id=uuid.uuid4(), ballot=ballot, sealed=_fernet().encrypt(bytes(bitmap))))
        SealedVote.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0005_i14_meeting_hours_discussion"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballot",
            name="board_public_key",
            field=models.BinaryField(default=b"", editable=False),
        ),
        migrations.AddField(
            model_name="ballot",
            name="counted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="SealedVote",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=scoring.meeting.models.random_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("sealed", models.BinaryField(editable=False)),
                (
                    "ballot",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="sealed_votes", to="scoring.ballot"
                    ),
                ),
            ],
        ),
        migrations.RunPython(split_boxes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="ballot", name="sealed_box"),
    ]
