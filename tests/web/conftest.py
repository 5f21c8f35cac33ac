"""A plain Chromium for the page tests (one per module). Tests that need a fake camera and
microphone (or other flags) define their own `browser`, which takes precedence."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.test_browser import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
