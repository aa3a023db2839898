"""Headless Debian Chromium driven by Playwright, for tests that use pages as a person does."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlparse

from playwright.sync_api import Page, Route, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def page_errors(page: Page, *, into: list[str] | None = None) -> list[str]:
    """Records the page's uncaught exceptions and console errors from now on (into `into`,
    if given). `browser_page` fails the test on any of them as it closes; a test may also
    assert the list is empty at a moment of its choosing."""
    errors: list[str] = [] if into is None else into
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    return errors


@contextmanager
def browser_page(*, javascript: bool = True, expected_errors: Mapping[str, str] | None = None) -> Iterator[Page]:
    """A page (and any it opens) whose page and console errors fail the test as it closes:
    every browser test fails on any of them. `expected_errors` maps a part of an error's text
    to why the test provokes it; only those are let through. Every request to anything but
    loopback is refused (and so fails the test): pages work offline or not at all."""
    expected = dict(expected_errors or {})
    assert all(expected.values()), "each expected error needs its reason"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
            context.route("**/*", _loopback_only)
            page = context.new_page()
            page.set_default_timeout(15_000)
            errors = page_errors(page)
            page.context.on("page", lambda opened: page_errors(opened, into=errors))  # popups, new tabs
            yield page
            unexpected = [error for error in errors if not any(part in error for part in expected)]
            assert not unexpected, f"page or console errors: {unexpected}"
        finally:
            browser.close()


def _loopback_only(route: Route) -> None:
    url = urlparse(route.request.url)
    if url.scheme in ("http", "https", "ws", "wss") and not _is_loopback(url.hostname or ""):
        route.abort("blockedbyclient")
    else:
        route.continue_()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
