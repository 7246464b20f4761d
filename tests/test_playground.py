"""The playground page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Opens the page served by the real server, changes the sequence and the
augmentation preset, checks that the image changes with them, downloads the
PNG, and shows the phone-number grid.
"""

from __future__ import annotations

import io
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from _api_server import running_server

CHROMIUM = os.environ.get("NUMBER_GENERATOR_CHROMIUM", "/usr/bin/chromium")
if not os.environ.get("CI"):
    pytest.importorskip("playwright")
    if not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); CI installs it", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def page_url():
    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _image_bytes(page) -> bytes:
    """The PNG currently shown (read back through the blob URL)."""
    data = page.evaluate(
        """async () => {
            const r = await fetch(document.getElementById('image').src);
            return Array.from(new Uint8Array(await r.arrayBuffer()));
        }"""
    )
    return bytes(data)


def test_playground_updates_image_and_downloads(browser, page_url, tmp_path):
    page = browser.new_page(accept_downloads=True)
    requests_outside = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(page_url) or r.url.startswith("blob:") or r.url.startswith("data:")
            else requests_outside.append(r.url)
        ),
    )
    page.goto(page_url + "/")
    image = page.get_by_role("img", name="Handwritten sequence: 0123456789")
    expect(image).to_be_visible(timeout=20_000)
    first = _image_bytes(page)
    view = page.get_by_role("region", name="Sequence")

    # Every control has an accessible label.
    for label in (
        "Sequence or text",
        "Min spacing (px)",
        "Max spacing (px)",
        "Width (px)",
        "Dataset",
        "Augmentation",
        "Seed",
    ):
        expect(view.get_by_label(label, exact=True)).to_be_visible()

    view.get_by_label("Sequence or text").fill("42-42")
    expect(page.get_by_role("img", name="Handwritten sequence: 42-42")).to_be_visible(timeout=20_000)
    second = _image_bytes(page)
    assert second != first
    expect(page.locator("#caption")).to_contain_text('label "42-42", seed 0')

    before = page.locator("#image").get_attribute("src")
    view.get_by_label("Augmentation").select_option("heavy")
    page.wait_for_function("(old) => document.getElementById('image').src !== old", arg=before)
    third = _image_bytes(page)
    assert third != second
    with Image.open(io.BytesIO(third)) as shown:
        assert shown.size == (300, 28)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PNG").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename == "sequence-42-42-seed0.png"
    assert path.read_bytes() == third
    with Image.open(path) as saved:
        pixels = np.asarray(saved)
        assert saved.mode == "L" and pixels.shape == (28, 300) and pixels.min() < 128

    # An impossible request shows the server's message instead of an image.
    view.get_by_label("Sequence or text").fill("12x")
    expect(page.get_by_role("alert")).to_contain_text("cannot draw 'x'", timeout=20_000)
    assert requests_outside == []  # no CDN, no external request
    page.close()


def test_playground_phone_grid(browser, page_url, tmp_path):
    page = browser.new_page()
    page.goto(page_url + "/")
    page.get_by_role("button", name="Phone numbers").click()
    grid = page.get_by_role("list", name="Generated phone numbers")
    expect(grid.locator("li")).to_have_count(12, timeout=20_000)
    expect(grid.locator("li span").last).to_have_text(
        __import__("re").compile(r"^0\d{1,4}-\d{1,4}-\d{3,4}$"), timeout=20_000
    )
    labels = grid.locator("li span").all_inner_texts()
    assert len(set(labels)) == 12
    page.screenshot(path=str(tmp_path / "grid.png"))
    page.close()
