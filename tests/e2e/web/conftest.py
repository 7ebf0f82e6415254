"""Browser tests of the web corner: Debian's chromium driven headless by its own chromedriver
(selenium from PyPI; Selenium Manager is never asked to download anything), axe-core from npm.

They skip, saying why, when chromium, chromedriver or selenium is missing; the axe checks also
skip when axe-core is not installed. ``bash scripts/test`` installs all of them, so CI runs them.
Screenshots go to ``artifacts/screenshots/`` (``KYODO_ARTIFACTS`` overrides ``artifacts/``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.web import Corner

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("KYODO_ARTIFACTS", ROOT / "artifacts"))
SHOTS = ARTIFACTS / "screenshots"
AXE_CANDIDATES = [
    Path(os.environ["KYODO_AXE_JS"]) if os.environ.get("KYODO_AXE_JS") else None,
    ROOT / "node_modules" / "axe-core" / "axe.min.js",
]
PHONE, DESKTOP = (390, 844), (1280, 900)


def _browser() -> tuple[str, str] | str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if not chromium:
        return "chromium is not installed (apt-get install -y chromium chromium-driver; scripts/test does it)"
    if not driver:
        return "chromedriver is not installed (apt-get install -y chromium-driver; scripts/test does it)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return chromium, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from _driver(javascript=True)


@pytest.fixture(scope="module")
def browser_without_js() -> Iterator[object]:
    yield from _driver(javascript=False)


def _driver(*, javascript: bool) -> Iterator[object]:
    found = _browser()
    if isinstance(found, str):
        pytest.skip(found)
    chromium, driver_path = found
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium Manager fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--lang=ja", "--hide-scrollbars"):
        options.add_argument(arg)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def axe_source() -> str:
    for path in AXE_CANDIDATES:
        if path is not None and path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip("axe-core is not installed (npm install axe-core; scripts/test does it)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Corner]:
    """The corner on its own database, with a few listed groups (and one that is not listed)."""
    from bot.storage import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    migrate.upgrade(url)
    c = Corner(url, web_questions_per_minute=1000)
    c.add_group("こがねい緑の会", listed=True, fields=[7], description="野川沿いの公園の清掃と植樹をしています。",
                public_contact="midori@example.jp")
    c.add_group("子ども食堂ひまわり", listed=True, fields=[13], description="月2回、公民館で子ども食堂を開いています。")
    c.add_group("将棋をさす会", listed=True, fields=[6], description="高齢者と子どもの将棋教室。")
    c.add_group("非公開の会", listed=False, fields=[7], description="公園の清掃")
    yield c
    c.close()
