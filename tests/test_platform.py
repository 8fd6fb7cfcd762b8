"""Platform checks: production settings pass `check --deploy`, ruff and mypy are clean,
demo data."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from casemgmt.accounts.models import Team, User
from clients.models import Client

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**overrides) -> dict:
    """The process environment minus what the test settings added, plus ``overrides``."""
    test_only = {
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "STATIC_MANIFEST",
        "WHITENOISE_USE_FINDERS",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DEBUG",
    }
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    return env | {"DJANGO_SETTINGS_MODULE": "casemgmt.settings"} | overrides


def test_check_deploy_reports_no_issue_with_production_settings():
    env = _production_env(
        **{
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "casemgmt.example.org",
            # Set, so nothing embedded starts; check --deploy does not connect.
            "DATABASE_URL": "postgres://casemgmt_app:secret@127.0.0.1:9/casemgmt",
            "DATABASE_OWNER_URL": "postgres://casemgmt:secret@127.0.0.1:9/casemgmt",
            "REDIS_URL": "redis://127.0.0.1:9/0",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_app_connects_as_the_owner():
    env = _production_env(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="casemgmt.example.org",
        DATABASE_URL="postgres://casemgmt:secret@127.0.0.1:9/casemgmt",
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    env.pop("DATABASE_OWNER_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "audit.W001" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = _production_env(
        DATABASE_URL="postgres://casemgmt:secret@127.0.0.1:9/casemgmt",
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_wsgi_application_loads_every_view_and_freezes_start_up_objects():
    env = _production_env(
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://casemgmt:secret@127.0.0.1:9/casemgmt",
        REDIS_URL="redis://127.0.0.1:9/0",
    )
    code = (
        "import gc, sys, casemgmt.wsgi; "
        "print(gc.get_freeze_count() > 10000, 'dashboard.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("args", [["check"], ["format", "--check"]])
def test_ruff_is_clean(args):
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run([str(ruff), *args, "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean():
    """mypy with the project's [tool.mypy]: strict on services and selectors, the default
    level elsewhere. Its cache (.mypy_cache/, git-ignored) makes a second run quick."""
    mypy = Path(sys.executable).parent / "mypy"
    result = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_layers_and_public_surfaces_hold():
    """DESIGN.md's layers and public surfaces, as import-linter contracts (pyproject.toml;
    the public-surface contract type is tests/architecture.py)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.django_db
def test_no_migrations_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice():
    call_command("seed_demo", clients=40)
    counts = (Team.objects.count(), User.objects.count(), Client.objects.count())
    call_command("seed_demo", clients=40)
    assert (Team.objects.count(), User.objects.count(), Client.objects.count()) == counts
    assert counts[2] == 40
    demo = User.objects.get(username="casemanager")
    assert demo.check_password("demo-pass-2026")
    assert Client.objects.filter(primary_case_manager=demo).exists()
    call_command("seed_demo", clients=55)
    assert Client.objects.count() == 55
