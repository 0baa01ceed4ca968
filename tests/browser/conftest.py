"""Real Chromium through Playwright, against Django's live server.

Never `playwright install`: Debian's /usr/bin/chromium is used. On a machine without it the
browser tests skip loudly; under CI (.ci/run sets DRYNEEDLING_REQUIRE_BROWSER=1) they fail.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread


class SerialAppWSGIServer(ThreadedWSGIServer):
    """The live server runs one request through Django at a time.

    Django's threaded live server lets every request thread share the test database's one
    connection (for in-memory SQLite): two overlapping requests that both write (a page and its
    outcome chart, each auditing the view) then fail with "database table is locked". Connections
    are still accepted and read by their own threads (an idle browser connection blocks nobody);
    only the call into Django is serialised.
    """

    def set_app(self, application):  # type: ignore[no-untyped-def]
        lock = threading.Lock()

        def serialised(environ, start_response):  # type: ignore[no-untyped-def]
            with lock:
                return application(environ, start_response)

        super().set_app(serialised)


LiveServerThread.server_class = SerialAppWSGIServer

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("DRYNEEDLING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here but cannot run: {message}")
        pytest.skip(f"BROWSER TESTS SKIPPED: {message}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def sign_in(page, base_url: str, user) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real forms: password, then the authenticator's code (a device is
    given to the user first, as after enrolment)."""
    from tests.conftest import PASSWORD, totp_code, totp_device

    device = totp_device(user)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/accounts/two-factor/**")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base_url}/today/")  # LOGIN_REDIRECT_URL: each role lands on Today
    page.goto(f"{base_url}/patients/")  # the flows start from the patient register


def sign_in_with_password(page, base_url: str, user) -> None:  # type: ignore[no-untyped-def]
    """Sign in with the password alone: front desk, of whom the clinic does not require two-factor."""
    from tests.conftest import PASSWORD

    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/today/")


@pytest.fixture
def signed_in_page(page, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    """Alice signed in through the real login and two-factor forms."""
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, alice)
    return page
