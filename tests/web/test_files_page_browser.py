"""The file browser in a real Chromium, as a person uses it: list, sort and navigate; select
with the mouse and keys; rename, move, trash and restore from the toolbar, the context menu
and the keyboard; names shown as text. Each page runs under the pages' CSP and may not reach
past this machine; any console error fails the test."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Locator, Page, Route, expect

from tests.browser import browser_page
from tests.server import RunningServer, start_server

pytestmark = pytest.mark.slow
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "frame-ancestors 'self'")  # fmt: skip
"""The policy pages are served with (shared_contracts.md). The tests set it on every page
they open, so a script that breaks it fails here whether or not the server sends it yet."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database: str) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("server") / "data", builtins=False,
                           env={"LATCHLIKE_RUN_ENGINE": "false"})  # fmt: skip
    yield running
    running.stop()


@contextmanager
def files_page(expected_errors: Mapping[str, str] | None = None) -> Iterator[Page]:
    """A page that refuses (and the test then fails on) any request off this machine and any
    alert, and gets the CSP on every document it opens."""
    outside: list[str] = []

    def guard(route: Route) -> None:
        request = route.request
        if urlsplit(request.url).hostname not in ("127.0.0.1", "localhost"):
            outside.append(request.url)
            route.abort()
        elif request.resource_type == "document":
            response = route.fetch()
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": CSP})
        else:
            route.continue_()

    with browser_page(expected_errors=expected_errors) as page:
        page.on("dialog", lambda dialog: outside.append(f"a {dialog.type} dialog: {dialog.message}"))
        page.route("**/*", guard)
        yield page
        assert not outside, f"the page reached off this machine, or alerted: {outside}"


def put(server: RunningServer, project: str, path: str, content: bytes) -> None:
    answer = httpx.put(f"{server.url}/api/files/{project}/{path}", content=content, timeout=30)
    assert answer.status_code in (200, 201), answer.text


def status_of(server: RunningServer, project: str, path: str) -> int:
    return httpx.get(f"{server.url}/api/files/{project}/{path}", timeout=30).status_code


def names(page: Page) -> list[str]:
    return page.locator("#file-table tbody td.name > :first-child").all_text_contents()


def row(page: Page, path: str) -> Locator:
    return page.locator(f'#file-table tbody tr[data-path="{path}"]')


def test_list_sort_and_navigate(server: RunningServer) -> None:
    for path, size in [("b.txt", 30), ("a10.csv", 5), ("a9.csv", 700), ("runs/2026/reads.fastq", 9)]:
        put(server, "browse", path, b"x" * size)
    httpx.post(f"{server.url}/api/files/browse/empty:mkdir", timeout=30).raise_for_status()
    with files_page({"status of 404": "the test opens a folder that does not exist, on purpose"}) as page:
        page.goto(f"{server.url}/workflows")
        page.locator("header nav").get_by_role("link", name="Files").click()
        page.locator("#file-projects").get_by_role("link", name="flytesnacks").click()
        expect(page.locator("#files-empty")).to_be_visible()
        page.goto(f"{server.url}/files/browse")
        # Folders first, then names in natural order (a9 before a10), as file managers sort.
        expect(page.locator("#file-table tbody tr")).to_have_count(5)
        assert names(page) == ["empty", "runs", "a9.csv", "a10.csv", "b.txt"]
        expect(row(page, "a9.csv")).to_contain_text("700 B")
        page.get_by_role("button", name="Size").click()
        assert names(page) == ["empty", "runs", "a10.csv", "b.txt", "a9.csv"]
        expect(page.locator("th[data-sort=size]")).to_have_attribute("aria-sort", "ascending")
        page.get_by_role("button", name="Size").click()
        assert names(page)[2:] == ["a9.csv", "b.txt", "a10.csv"]
        expect(page.locator("th[data-sort=size]")).to_have_attribute("aria-sort", "descending")

        # Into a folder by its name, down by the tree, up by the breadcrumbs, back by history.
        page.locator("#file-table").get_by_role("link", name="runs").click()
        expect(page).to_have_url(f"{server.url}/files/browse/runs")
        expect(page.locator("#crumbs a[aria-current=page]")).to_have_text("runs")
        tree = page.locator("#folder-tree")
        expect(tree.locator('li[data-folder="runs/2026"]')).to_be_visible()
        tree.get_by_role("link", name="2026").click()
        expect(page).to_have_url(f"{server.url}/files/browse/runs/2026")
        expect(row(page, "runs/2026/reads.fastq")).to_contain_text("9 B")
        expect(tree.locator("li.current > a")).to_have_text("2026")
        page.locator("#crumbs").get_by_role("link", name="browse").click()
        expect(page).to_have_url(f"{server.url}/files/browse")
        page.go_back()
        expect(page).to_have_url(f"{server.url}/files/browse/runs/2026")
        expect(page.locator("#file-table tbody tr")).to_have_count(1)

        # Keyboard: arrows select, Enter opens a folder, Backspace goes up.
        page.goto(f"{server.url}/files/browse")
        expect(page.locator("#file-table tbody tr")).to_have_count(5)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(row(page, "runs")).to_have_class("selected")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{server.url}/files/browse/runs")
        page.keyboard.press("Backspace")
        expect(page).to_have_url(f"{server.url}/files/browse")

        # A file's address opens its folder with the file selected.
        page.goto(f"{server.url}/files/browse/runs/2026/reads.fastq")
        expect(row(page, "runs/2026/reads.fastq")).to_have_class("selected")
        expect(page.locator("#files-title")).to_have_text("2026")

        # An empty folder and a missing one say so.
        page.goto(f"{server.url}/files/browse/empty")
        expect(page.locator("#files-empty")).to_have_text(
            "This folder is empty. Drop files or folders here, or use Upload."
        )
        page.goto(f"{server.url}/files/browse/nowhere")
        expect(page.get_by_role("alert")).to_have_text("nothing at 'nowhere' in project 'browse'")


def test_select_with_clicks_modifiers_and_select_all(server: RunningServer) -> None:
    for name in ("1.txt", "2.txt", "3.txt", "4.txt"):
        put(server, "select", name, name.encode())
    with files_page() as page:
        page.goto(f"{server.url}/files/select")
        rows = page.locator("#file-table tbody tr")
        expect(rows).to_have_count(4)
        rows.nth(0).locator("td.name").click()
        rows.nth(2).locator("td.name").click(modifiers=["Control"])
        expect(page.locator("tr.selected")).to_have_count(2)
        expect(page.get_by_role("status")).to_have_text("2 selected")
        rows.nth(3).locator("td.name").click(modifiers=["Shift"])
        assert [r.get_attribute("data-path") for r in page.locator("tr.selected").all()] == ["3.txt", "4.txt"]
        rows.nth(1).locator("td.name").click()
        expect(page.locator("tr.selected")).to_have_count(1)
        expect(page.get_by_role("button", name="Rename", exact=True)).to_be_enabled()
        page.get_by_label("Select all").check()
        expect(page.locator("tr.selected")).to_have_count(4)
        expect(page.get_by_role("button", name="Rename", exact=True)).to_be_disabled()  # one at a time
        page.get_by_label("Select all").uncheck()
        expect(page.locator("tr.selected")).to_have_count(0)
        rows.nth(0).locator("input[type=checkbox]").check()
        rows.nth(1).locator("input[type=checkbox]").check()
        expect(page.locator("tr.selected")).to_have_count(2)
        page.locator("#file-table tbody").click(position={"x": 200, "y": 10})
        page.keyboard.press("Control+a")
        expect(page.locator("tr.selected")).to_have_count(4)


def test_rename_move_trash_and_restore(server: RunningServer) -> None:
    for name in ("notes.txt", "reads_1.fastq", "reads_2.fastq", "taken.txt"):
        put(server, "manage", name, name.encode())
    refused = {"status of 409": "the test renames onto a name that is taken, to see the server's message"}
    with files_page(refused) as page:
        page.goto(f"{server.url}/files/manage")
        expect(page.locator("#file-table tbody tr")).to_have_count(4)

        # F2 renames; the dialog offers the name without its extension.
        row(page, "notes.txt").locator("td.name").click()
        page.keyboard.press("F2")
        dialog = page.locator("#ask-dialog")
        expect(dialog).to_be_visible()
        page.keyboard.type("summary")
        page.keyboard.press("Enter")
        expect(row(page, "summary.txt")).to_be_visible()
        assert status_of(server, "manage", "summary.txt") == 200 and status_of(server, "manage", "notes.txt") == 404

        # A refused rename shows the server's sentence and changes nothing.
        row(page, "summary.txt").locator("td.name").click()
        page.get_by_role("button", name="Rename", exact=True).click()
        page.locator("#ask-input").fill("taken.txt")
        page.get_by_role("button", name="OK").click()
        expect(page.get_by_role("alert")).to_contain_text("'taken.txt' exists; moving there would replace it")
        assert status_of(server, "manage", "summary.txt") == 200

        # New folder from the toolbar; two files moved into it from the context menu.
        page.get_by_role("button", name="New folder").click()
        page.locator("#ask-input").fill("reads")
        page.get_by_role("button", name="OK").click()
        expect(row(page, "reads")).to_be_visible()
        row(page, "reads_1.fastq").locator("td.name").click()
        row(page, "reads_2.fastq").locator("td.name").click(modifiers=["Control"])
        row(page, "reads_2.fastq").locator("td.name").click(button="right")
        menu = page.get_by_role("menu")
        expect(menu).to_be_visible()
        menu.get_by_role("menuitem", name="Move to…").click()
        page.locator("#ask-input").fill("reads")
        page.get_by_role("button", name="OK").click()
        expect(page.get_by_role("status")).to_have_text("Moved 2 items to reads")
        expect(row(page, "reads_1.fastq")).to_have_count(0)
        assert status_of(server, "manage", "reads/reads_1.fastq") == 200
        assert status_of(server, "manage", "reads/reads_2.fastq") == 200

        # Delete sends to the trash; the Trash view restores.
        row(page, "summary.txt").locator("td.name").click()
        page.keyboard.press("Delete")
        expect(row(page, "summary.txt")).to_have_count(0)
        row(page, "reads").locator("td.name").click(button="right")
        page.get_by_role("menu").get_by_role("menuitem", name="Delete").click()
        expect(row(page, "reads")).to_have_count(0)
        assert status_of(server, "manage", "summary.txt") == 404
        page.get_by_role("button", name="Trash").click()
        expect(page).to_have_url(f"{server.url}/files/manage?view=trash")
        expect(page.locator("#file-table tbody tr")).to_have_count(2)
        expect(page.locator(".toolbar").get_by_role("button", name="Delete", exact=True)).to_be_disabled()
        row(page, "reads").locator("td.name").click()
        row(page, "summary.txt").locator("td.name").click(modifiers=["Control"])
        page.locator(".toolbar").get_by_role("button", name="Restore").click()
        expect(page.get_by_role("status")).to_have_text("Restored 2 items")
        expect(page.locator("#files-empty")).to_have_text("The trash is empty.")
        page.get_by_role("button", name="Back to files").click()
        expect(row(page, "summary.txt")).to_be_visible()
        expect(row(page, "reads")).to_be_visible()
        assert status_of(server, "manage", "reads/reads_2.fastq") == 200


def test_read_only_entries_offer_no_rename_move_or_delete(server: RunningServer) -> None:
    """Entries the API marks `read_only` (an execution's outputs), and files whose QC it
    offers (a `qc` state other than "none"; re-run by `POST <path>:qc`): the listing is the
    API's, with those fields added at the seam as the file API sends them."""
    put(server, "outputs", "out.csv", b"a,b\n")
    put(server, "outputs", "mine.csv", b"a,b\n")
    rechecked: list[str] = []

    def mark(route: Route) -> None:
        response = route.fetch()
        listing = response.json()
        for entry in listing.get("entries", []):
            entry["read_only"] = entry["name"] == "out.csv"
            entry["qc"] = {"status": "done"} if entry["name"] == "out.csv" else {"status": "none"}
        route.fulfill(response=response, body=json.dumps(listing))

    def qc(route: Route) -> None:
        rechecked.append(route.request.method)
        route.fulfill(status=202, json={"status": "queued"})

    with files_page() as page:
        page.route("**/api/files/outputs/?after=*", mark)
        page.route("**/api/files/outputs/out.csv:qc", qc)
        page.goto(f"{server.url}/files/outputs")
        expect(row(page, "out.csv")).to_contain_text("read-only")
        row(page, "out.csv").locator("td.name").click()
        toolbar = page.locator(".toolbar")
        for action in ("Rename", "Move to…", "Delete"):
            expect(toolbar.get_by_role("button", name=action, exact=True)).to_be_disabled()
        with page.expect_download() as downloading:
            toolbar.get_by_role("button", name="Download").click()
        assert downloading.value.suggested_filename == "out.csv"
        toolbar.get_by_role("button", name="Re-run QC").click()
        expect(row(page, "out.csv")).to_contain_text("QC done")
        expect(page.get_by_role("status")).to_have_text("QC started again for 1 file")
        assert rechecked == ["POST"]
        page.keyboard.press("Delete")
        page.keyboard.press("F2")
        expect(page.locator("#ask-dialog")).to_be_hidden()
        row(page, "mine.csv").locator("td.name").click(modifiers=["Control"])
        expect(toolbar.get_by_role("button", name="Delete", exact=True)).to_be_disabled()  # one of them is read-only
        expect(toolbar.get_by_role("button", name="Re-run QC")).to_be_hidden()  # not offered for mine.csv
        row(page, "mine.csv").locator("td.name").click()
        expect(toolbar.get_by_role("button", name="Delete", exact=True)).to_be_enabled()
    assert status_of(server, "outputs", "out.csv") == 200


def test_names_are_shown_as_text(server: RunningServer) -> None:
    hostile = ["<script>window.pwned=1<.txt", '<img src=x onerror="window.pwned=2">.csv']
    for name in hostile:
        put(server, "hostile", name, b"x")
    with files_page() as page:
        page.goto(f"{server.url}/files/hostile")
        expect(page.locator("#file-table tbody tr")).to_have_count(2)
        assert sorted(names(page)) == sorted(hostile)
        assert page.locator("#file-table img, #file-table script").count() == 0
        assert page.evaluate("window.pwned") is None


def test_a_folder_longer_than_one_page_is_listed_whole(server: RunningServer) -> None:
    """The API answers 1,000 entries a page; the browser follows `next_after` to the end."""
    with httpx.Client(base_url=f"{server.url}/api/files/long/", timeout=30) as api:
        for number in range(1003):
            assert api.put(f"f{number:04}.txt", content=b"x").status_code == 201
    with files_page() as page:
        page.goto(f"{server.url}/files/long")
        expect(page.locator("#file-table tbody tr")).to_have_count(1003)
        expect(page.get_by_role("status")).to_have_text("1003 items")
        page.locator("th[data-sort=name] button").click()
        expect(page.locator("#file-table tbody tr").first).to_have_attribute("data-path", "f1002.txt")


def test_dragging_rows_onto_a_folder_moves_them(server: RunningServer) -> None:
    for path in ("a.csv", "b.csv", "c.csv", "keep/old/x.txt"):
        put(server, "drag", path, b"1,2\n")
    with files_page() as page:
        page.goto(f"{server.url}/files/drag")
        expect(page.locator("#file-table tbody tr")).to_have_count(4)
        row(page, "a.csv").locator("td.name").click()
        row(page, "b.csv").locator("td.name").click(modifiers=["Control"])
        row(page, "b.csv").drag_to(row(page, "keep"))  # both selected rows go
        expect(page.get_by_role("status")).to_have_text("Moved 2 items to keep")
        expect(page.locator("#file-table tbody tr")).to_have_count(2)
        page.get_by_role("button", name="Show folders in keep").click()  # the tree opens lazily
        row(page, "c.csv").drag_to(page.locator('#folder-tree a[data-folder="keep/old"]'))
        expect(page.get_by_role("status")).to_have_text("Moved 1 item to keep/old")
    for path in ("keep/a.csv", "keep/b.csv", "keep/old/c.csv"):
        assert status_of(server, "drag", path) == 200, path
