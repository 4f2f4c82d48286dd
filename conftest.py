"""Shared fixtures: one persona per role, and the browser for Playwright tests."""

import importlib
import os
import shutil

import pytest
from django.db.backends.signals import connection_created

from accounts.roles import Role
from tests.factories import make_user

IN_CI = os.environ.get("CI", "").lower() == "true"


def read_uncommitted_in_shared_memory(sender, connection, **kwargs):
    """Let readers of Django's in-memory SQLite test database skip table locks.

    The test database is one shared-cache memory database for all threads, and
    shared-cache table locks fail at once with "database table is locked" instead
    of waiting. A background import job writing while a live-server thread reads
    the same table would then fail at random, a conflict that a database file in
    production (WAL, busy timeout) resolves by waiting.
    """
    if connection.vendor != "sqlite":
        return
    if "mode=memory" in str(connection.settings_dict["NAME"]):
        connection.connection.execute("PRAGMA read_uncommitted = 1")


connection_created.connect(read_uncommitted_in_shared_memory)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords with MD5: PBKDF2 costs about a second per persona."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def migrated_reference_data(request):
    """Put back the rows that data migrations create (role groups, municipalities,
    onboarding document requirements).

    A transactional test (live server, concurrency) ends by flushing every table, so
    tests that run after it would otherwise find no groups and no municipalities.
    """
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not ({"db", "transactional_db", "live_server"} & fixtures):
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & fixtures
    )
    request.getfixturevalue("transactional_db" if transactional else "db")

    from django.apps import apps

    groups = importlib.import_module("accounts.migrations.0002_create_role_groups")
    places = importlib.import_module("zones.migrations.0002_load_municipalities")
    requirements = importlib.import_module(
        "onboarding.migrations.0003_load_default_requirements"
    )
    if not apps.get_model("auth", "Group").objects.exists():
        groups.create_groups(apps, None)
    if not apps.get_model("zones", "Municipality").objects.exists():
        places.load(apps, None)
    if not apps.get_model("onboarding", "DocumentRequirement").objects.exists():
        requirements.load(apps, None)


@pytest.fixture
def director(db):
    return make_user(Role.DIRECTOR, "director", first_name="Diana", last_name="Rojas")


@pytest.fixture
def coordinator(db):
    return make_user(
        Role.COORDINATOR, "coordinadora", first_name="Carla", last_name="Mejía"
    )


@pytest.fixture
def advisor(db):
    return make_user(Role.ADVISOR, "asesor1", first_name="Andrés", last_name="Gómez")


@pytest.fixture
def other_advisor(db):
    return make_user(Role.ADVISOR, "asesor2", first_name="Beatriz", last_name="López")


@pytest.fixture
def billing_user(db):
    return make_user(Role.BILLING, "facturacion")


@pytest.fixture
def operations_user(db):
    return make_user(Role.OPERATIONS, "operaciones")


@pytest.fixture
def no_role_user(db):
    return make_user(None, "sinrol")


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright; skipped (failed on CI) when absent."""
    executable = chromium_path()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # the test around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="es-CO", timezone_id="America/Bogota")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only tests on other databases; the PostgreSQL pass runs them."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL; runs in the PostgreSQL pass")
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)
