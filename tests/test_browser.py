"""The browser helper itself: every browser test fails on any page or console error, unless
the test names the error it provokes and why."""

from __future__ import annotations

import pytest

from tests.browser import browser_page

pytestmark = pytest.mark.slow


def test_a_console_error_fails_the_page_as_it_closes() -> None:
    with pytest.raises(AssertionError, match="console: sequencer offline"), browser_page() as page:
        page.set_content("<script>console.error('sequencer offline')</script>")


def test_an_uncaught_exception_fails_the_page_as_it_closes() -> None:
    with pytest.raises(AssertionError, match=r"page error: .*no such lane"), browser_page() as page:
        page.set_content("<script>throw new Error('no such lane')</script>")


def test_an_error_the_test_provokes_on_purpose_is_let_through_with_its_reason() -> None:
    with browser_page(expected_errors={"sequencer offline": "this test logs it itself"}) as page:
        page.set_content("<p>lane 1</p><script>console.error('sequencer offline')</script>")
        assert page.text_content("p") == "lane 1"


def test_a_request_off_the_machine_is_refused_and_fails_the_page() -> None:
    with pytest.raises(AssertionError, match="ERR_BLOCKED_BY_CLIENT"), browser_page() as page:
        page.set_content('<img src="https://cdn.example.org/logo.png">')
        page.wait_for_timeout(300)
