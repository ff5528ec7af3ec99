"""deploy/: the systemd units, the env file template, the nginx configs, compose.yaml and the Dockerfile point at
commands, options, modules and settings that exist. Docker cannot run here, so compose.yaml is checked by reading
it (and by `docker compose config` where the compose plugin exists); `make run PORT=…` is checked with `make -n`."""

import configparser
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parent.parent
DEPLOY = BASE_DIR / "deploy"
UNITS = DEPLOY / "systemd"
ENV_FILE = "/etc/khoithidua/khoithidua.env"
CHECKOUT = "/srv/khoithidua"
LARGEST_FORM_UPLOADS = 7  # a report with seven covenant contents, one upload field each


def settings_variables() -> set[str]:
    """Every environment variable that khoithidua/settings.py reads."""
    source = (BASE_DIR / "khoithidua" / "settings.py").read_text()
    return set(re.findall(r'env(?:bool|int|str|list)\(\s*"([A-Z0-9_]+)"', source))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(path)
    return parser


def check_manage_py(args: list[str]) -> None:
    """`manage.py NAME OPTIONS…` names an installed command that accepts these options."""
    assert args[0] == "manage.py", args
    name, options = args[1], args[2:]
    commands = get_commands()
    assert name in commands, f"no manage.py command {name!r}"
    command = load_command_class(commands[name], name)
    # As in production: the worker's and the pruner's --backend must name a database task backend.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        command.create_parser("manage.py", name).parse_args(options)  # fails on an unknown option


def check_gunicorn(args: list[str]) -> str:
    """gunicorn's own parser accepts the arguments, and the application module exists; returns the bind address."""
    import importlib

    from gunicorn.config import Config

    parsed = Config().parser().parse_args(args)
    (app,) = parsed.args
    importlib.import_module(app.split(":")[0])
    return parsed.bind[0]


SERVICES = sorted(UNITS.glob("*.service"))


@pytest.mark.parametrize("path", SERVICES, ids=[p.name for p in SERVICES])
def test_each_service_runs_an_existing_command_with_the_env_file(path):
    service = unit(path)["Service"]
    assert service["EnvironmentFile"] == ENV_FILE
    assert service["WorkingDirectory"] == CHECKOUT
    assert service["User"] == "khoithidua"
    program, *args = shlex.split(service["ExecStart"])
    assert program.startswith(f"{CHECKOUT}/.venv/bin/")
    if program.endswith("/gunicorn"):
        assert check_gunicorn(args) == "127.0.0.1:8000"
        assert service["Type"] == "notify" and service["Restart"] == "always"
    else:
        assert program.endswith("/python")
        check_manage_py(args)


def test_the_long_running_services_restart_and_the_jobs_run_once():
    assert unit(UNITS / "khoithidua-worker.service")["Service"]["ExecStart"].split()[2] == "run_worker"
    for name in ("web", "worker"):
        service = unit(UNITS / f"khoithidua-{name}.service")
        assert service["Service"]["Restart"] == "always"
        assert service["Service"]["KillMode"] == "mixed"
        assert service["Install"]["WantedBy"] == "multi-user.target"
    commands = set()
    for timer_path in sorted(UNITS.glob("*.timer")):
        service_path = timer_path.with_suffix(".service")
        assert service_path.exists(), f"{timer_path.name} has no service"
        service = unit(service_path)["Service"]
        assert service["Type"] == "oneshot"
        commands.add(shlex.split(service["ExecStart"])[2])
        timer = unit(timer_path)
        assert timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    assert commands == {"send_reminders", "refresh_documents", "prune_db_task_results", "backup", "close_ballots"}


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze (systemd) is not installed")
def test_the_timer_schedules_are_valid():
    for timer_path in sorted(UNITS.glob("*.timer")):
        spec = unit(timer_path)["Timer"]["OnCalendar"]
        result = subprocess.run(["systemd-analyze", "calendar", spec], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{timer_path.name}: {result.stderr}"


def env_template() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "khoithidua.env.example").read_text().splitlines():
        match = re.match(r"#?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match[1]] = match[2]
    return values


def test_the_env_template_names_only_settings_that_exist_and_the_required_ones():
    template = env_template()
    assert set(template) - settings_variables() == set()
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_ROOT", "SECURE_PROXY_SSL_HEADER"):
        assert required in template
    assert template["MEDIA_ROOT"].startswith("/var/lib/khoithidua")
    backup = unit(UNITS / "khoithidua-backup.service")["Service"]
    assert template["BACKUP_DIR"] in backup["ExecStart"] and template["BACKUP_DIR"] in backup["ReadWritePaths"]


def test_the_readme_documents_every_setting():
    readme = (BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", readme, re.M)) | set(
        re.findall(r"^\| `[A-Z0-9_]+`, `([A-Z0-9_]+)`", readme, re.M)
    )
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    missing = {name for name in settings_variables() if f"`{name}`" not in table}
    assert documented and missing == set()


# nginx -----------------------------------------------------------------------------------------------------------


def body_limit_mb(conf: str) -> int:
    (value,) = re.findall(r"client_max_body_size\s+(\d+)m;", conf)
    return int(value)


@pytest.mark.parametrize("name", ["khoithidua.conf", "compose.conf"])
def test_the_proxy_takes_the_largest_form_and_overwrites_the_forwarded_proto(name):
    conf = (DEPLOY / "nginx" / name).read_text()
    assert body_limit_mb(conf) >= LARGEST_FORM_UPLOADS * settings.EVIDENCE_MAX_MB
    # The application refuses the same bodies when reached without the proxy (gunicorn has no body limit).
    assert body_limit_mb(conf) == settings.REQUEST_MAX_MB
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_request_buffering on;" in conf
    assert "media" not in conf.lower().replace("never add a location for media_root", "")


def test_the_host_proxy_points_at_gunicorn_and_the_compose_proxy_at_both_apps():
    assert "server 127.0.0.1:8000;" in (DEPLOY / "nginx" / "khoithidua.conf").read_text()
    compose_conf = (DEPLOY / "nginx" / "compose.conf").read_text()
    assert re.search(r"server web1:8000\b", compose_conf) and re.search(r"server web2:8000\b", compose_conf)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (apt-get install nginx-light)")
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_nginx_accepts_both_configs(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=khoithidua.example.org",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    host = (DEPLOY / "nginx" / "khoithidua.conf").read_text()
    host = re.sub(r"ssl_certificate .*;", f"ssl_certificate {cert};", host)
    host = re.sub(r"ssl_certificate_key .*;", f"ssl_certificate_key {key};", host)
    # The compose names only resolve inside compose's network.
    compose_conf = (DEPLOY / "nginx" / "compose.conf").read_text().replace("web1:", "127.0.0.1:")
    compose_conf = compose_conf.replace("web2:", "127.0.0.2:").replace("listen 80;", "listen 127.0.0.1:18080;")
    for name, text in (("host", host), ("compose", compose_conf)):
        site = tmp_path / f"{name}.conf"
        site.write_text(text)
        main = tmp_path / f"nginx-{name}.conf"
        main.write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\naccess_log off;\nclient_body_temp_path {tmp_path};\ninclude {site};\n}}\n"
        )
        result = subprocess.run(["nginx", "-t", "-c", str(main)], capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{name}: {result.stderr}"


# compose.yaml and the Dockerfile --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    yaml = pytest.importorskip("yaml", reason="PyYAML (comes with moto, a dev dependency) reads compose.yaml")
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_postgres_two_apps_behind_the_proxy_the_worker_minio_and_redis(compose):
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["proxy"]["image"].startswith("nginx:")
    assert "./nginx/compose.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]
    assert set(services["proxy"]["depends_on"]) == {"web1", "web2"}
    for name in ("web1", "web2"):
        command = services[name]["command"]
        assert command[0] == "gunicorn" and check_gunicorn(command[1:]) == "0.0.0.0:8000"
    assert services["worker"]["command"][:2] == ["python", "manage.py"]
    check_manage_py(services["worker"]["command"][1:])
    check_manage_py(services["migrate"]["command"][1:])
    assert services["web1"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_configures_the_app_through_existing_settings(compose):
    env = compose["services"]["web1"]["environment"]
    assert set(env) - settings_variables() == set()
    assert env["STORAGE_BACKEND"] == "s3" and env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert env["PAGE_CACHE_BACKEND"] == "redis" and env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["DATABASE_URL"].endswith("@db:5432/khoithidua")
    assert env == compose["services"]["worker"]["environment"] == compose["services"]["web2"]["environment"]
    assert "khoithidua-evidence" in " ".join(compose["services"]["bucket"]["command"])
    build = compose["services"]["web1"]["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == (DEPLOY / "Dockerfile").resolve()


def test_the_dockerfile_installs_what_the_app_calls_and_runs_gunicorn():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "postgresql-client"):
        assert package in dockerfile
    assert "collectstatic --noinput" in dockerfile
    cmd = re.search(r"^CMD (\[.*?\])\s*$", dockerfile.replace("\\\n", ""), re.M | re.S)
    import json

    command = json.loads(cmd[1])
    assert command[0] == "gunicorn" and check_gunicorn(command[1:]) == "0.0.0.0:8000"


@pytest.mark.skipif(
    shutil.which("docker") is None
    or subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0,
    reason="the docker compose plugin is not installed (the daemon is not needed for `docker compose config`)",
)
def test_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True, text=True, timeout=60, env={"SECRET_KEY": "x" * 40, "PATH": "/usr/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr


# make run PORT=… ----------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "port"), [([], "8000"), (["PORT=8123"], "8123")])
def test_make_run_serves_the_port_and_site_root_follows(args, port):
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert f"runserver 127.0.0.1:{port}" in result.stdout
    assert f'SITE_ROOT="http://127.0.0.1:{port}"' in result.stdout
    assert "manage.py run_worker" in result.stdout
