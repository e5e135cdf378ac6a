"""Evidence on a phone with JavaScript: choose a photo, see progress and a thumbnail, remove it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, new_phone, sign_in, start_visit
from tests.media import makers

pytestmark = pytest.mark.e2e


def test_attach_and_remove_a_photo(browser, live_server, tmp_path):
    photo = tmp_path / "ramp.jpg"
    photo.write_bytes(makers.jpeg_with_secrets())
    phone = new_phone(browser, locale="en-GB", width=390, height=844)
    page = phone.new_page()
    sign_in(page, live_server, "volunteer@e2e.kz")
    start_visit(page, live_server)
    box = page.locator("[data-evidence]").first
    box.locator("input[type=file]").set_input_files(str(photo))
    box.locator("[data-thumbs] img").wait_for(timeout=15000)
    assert box.locator("[data-upload-state]").inner_text() == "Attached."
    thumb = box.locator("[data-thumbs] img").first
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumb.element_handle())
    assert axe_violations(page) == []
    page.reload()
    box = page.locator("[data-evidence]").first
    assert box.locator("[data-thumbs] img").count() == 1  # stored on the server
    asked: list[str] = []

    def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))  # "Remove" asks first; "Cancel" keeps it
    box.locator("button[data-remove-url]").first.tap()
    page.wait_for_timeout(500)
    assert asked and asked[0].startswith("Remove this file from the visit?")
    assert box.locator("[data-thumbs] img").count() == 1
    page.once("dialog", lambda d: answer(d, True))
    box.locator("button[data-remove-url]").first.tap()
    page.wait_for_function(
        "document.querySelectorAll('[data-evidence]')[0].querySelectorAll('img').length === 0"
    )
    page.reload()
    assert page.locator("[data-evidence]").first.locator("[data-thumbs] img").count() == 0
    phone.close()
