"""Beyond one server, settings only: evidence on S3-compatible storage (django-storages), the page cache on Redis
(Django's RedisCache). Each selected by the environment; local disk and per-process memory stay the defaults.

The S3 test runs against a real S3 HTTP server: moto's (``moto_server``, PyPI), started on loopback by the fixture,
since no MinIO package is reachable here. The Redis test needs the Redis server on 127.0.0.1:6379.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.services import add_evidence

BASE_DIR = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOCAL = "django.core.files.storage.FileSystemStorage"


def settings_in_a_new_process(**env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "STORAGE_", "PAGE_CACHE", "REDIS_"))}
    keep.pop("CONN_HEALTH_CHECKS", None)
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'storage': s.STORAGES['default'], 'pages': s.CACHES['pages'], 'health': s.DATABASES['default']"
        "['CONN_HEALTH_CHECKS'], 'email': s.EMAIL_BACKEND, 'delivery': s.EMAIL_DELIVERY_BACKEND}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**keep, "DJANGO_SETTINGS_MODULE": "khoithidua.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def loaded(**env: str) -> dict:
    result = settings_in_a_new_process(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_are_local_disk_per_process_pages_and_health_checks():
    s = loaded()
    assert s["storage"] == {"BACKEND": LOCAL}
    assert s["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["health"] is True
    assert s["email"] == "ops.mail.RecordedDeliveryBackend"


def test_the_environment_selects_s3_redis_and_the_mail_backend():
    s = loaded(
        STORAGE_BACKEND="s3",
        S3_BUCKET="minh-chung",
        S3_ENDPOINT_URL="http://minio:9000",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
        S3_REGION="us-east-1",
        S3_ADDRESSING_STYLE="path",
        PAGE_CACHE_BACKEND="redis",
        REDIS_URL="redis://redis:6379/1",
        CONN_HEALTH_CHECKS="0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert s["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s["storage"]["OPTIONS"]
    assert options["bucket_name"] == "minh-chung" and options["endpoint_url"] == "http://minio:9000"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["region_name"] == "us-east-1" and options["addressing_style"] == "path"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert s["pages"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert s["pages"]["LOCATION"] == "redis://redis:6379/1"
    assert s["health"] is False
    assert s["delivery"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STORAGE_BACKEND": "s3"}, "needs S3_BUCKET"),
        ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND must be"),
        ({"PAGE_CACHE_BACKEND": "memcached"}, "PAGE_CACHE_BACKEND must be"),
    ],
)
def test_a_wrong_choice_refuses_to_start(env, message):
    result = settings_in_a_new_process(**env)
    assert result.returncode != 0 and message in result.stderr


# S3-compatible storage, for real -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    program = Path(sys.executable).with_name("moto_server")
    program = str(program) if program.exists() else shutil.which("moto_server")
    if program is None:
        pytest.skip("moto_server not found (pip install 'moto[server]'): no S3-compatible server to test against")
    port = free_port()
    process = subprocess.Popen(
        [program, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/", timeout=1).close()  # noqa: S310 (our loopback server)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.skip(f"moto_server did not start on {endpoint}")
            time.sleep(0.2)
    try:
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_server, settings):
    import boto3

    bucket = f"minh-chung-{uuid.uuid4().hex[:8]}"
    client = boto3.client(
        "s3", endpoint_url=s3_server, aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return client, bucket


def test_evidence_is_stored_read_served_and_deleted_on_s3(s3_storage, client, bloc_year, officer_a):
    from storages.backends.s3 import S3Storage

    s3, bucket = s3_storage
    unit = officer_a.profile.unit  # the officer's own evidence
    evidence = add_evidence(
        bloc_year=bloc_year, unit=unit, upload=SimpleUploadedFile("ke-hoach.pdf", PDF), summary="Kế hoạch", by=None
    )
    assert isinstance(evidence.file.storage, S3Storage)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [evidence.file.name]
    assert s3.get_object(Bucket=bucket, Key=evidence.file.name)["Body"].read() == PDF

    with evidence.file.open("rb") as f:
        assert f.read() == PDF

    client.force_login(officer_a)
    response = client.get(
        reverse("reports:evidence_download", args=[bloc_year.bloc.code, bloc_year.year, evidence.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF

    # The operations commands work on the bucket too.
    from django.core.management import call_command

    out = StringIO()
    call_command("clean_orphan_files", min_age=0, stdout=out)
    assert "0 tệp mồ côi" in out.getvalue()

    evidence.file.storage.delete(evidence.file.name)
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0
    out = StringIO()
    call_command("clean_orphan_files", stdout=out)
    assert f"mất tệp  reports.Evidence #{evidence.pk}" in out.getvalue()
    gone = client.get(reverse("reports:evidence_download", args=[bloc_year.bloc.code, bloc_year.year, evidence.pk]))
    assert gone.status_code == 404


# Redis page cache ----------------------------------------------------------------------------------------------


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis server answers on 127.0.0.1:6379")
def test_the_page_cache_on_redis_keeps_and_serves_pages(settings, client, bloc_year, officer_a):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    prefix = f"kt-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15",
                  "KEY_PREFIX": prefix, "TIMEOUT": 60},
    }
    pages = caches["pages"]
    assert isinstance(pages, RedisCache)
    pages.set("probe", b"\x00bytes", 30)
    assert pages.get("probe") == b"\x00bytes"
    pages.delete("probe")

    client.force_login(officer_a)
    url = reverse("covenant:covenant", args=[bloc_year.bloc.code, bloc_year.year])
    client.get(url)
    client.get(url)
    again = client.get(url)
    assert again.status_code == 200 and again["X-Page-Cache"] == "hit"
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    kept = list(server.scan_iter(f"{prefix}:*"))
    assert kept, "the page was not written to Redis"
    server.delete(*kept)
