"""Upload handling: an evidence file larger than EVIDENCE_MAX_MB is not written out past the limit while it arrives.

The parser still counts every byte, so the upload keeps its real size and the evidence check refuses it by that
size (reports.services.evidence.check_upload); the disk holds at most the limit per file meanwhile.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_MB * 1024 * 1024:
            return None  # counted by the parser, not kept
        return super().receive_data_chunk(raw_data, start)
