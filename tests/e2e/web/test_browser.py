"""The web corner in a real browser (headless chromium): every page at phone and desktop widths
with axe-core (0 serious or critical violations), a question answered in place, a citation link
followed to its section, feedback, a group search, the division matcher, and the focus order."""

from __future__ import annotations

import pytest

from tests.e2e.web.conftest import DESKTOP, PHONE, SHOTS

PAGES = {
    "top": "/",
    "guideline": "/guideline",
    "faq": "/faq",
    "faq-entry": "/faq/about-kyodo",
    "ask": "/ask",
    "groups": "/groups",
    "opportunities": "/opportunities",
    "divisions": "/divisions?activity=%E5%85%AC%E5%9C%92%E3%81%AE%E6%B8%85%E6%8E%83",
}

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(
  r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))),
  e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def _wait(driver, condition, timeout=20):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _by_css(css):
    from selenium.webdriver.common.by import By

    return (By.CSS_SELECTOR, css)


def _text(driver, css) -> str:
    """The text of an element, or "" while the page it was on is being replaced."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        return driver.find_element(*_by_css(css)).text
    except (NoSuchElementException, StaleElementReferenceException):
        return ""


def _open(driver, site, path, size):
    driver.set_window_size(*size)
    driver.get(site.url + path)
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def _shot(driver, name):
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_fits_and_passes_axe(browser, axe_source, site, name, size):
    _open(browser, site, PAGES[name], size)
    width = "phone" if size == PHONE else "desktop"
    _shot(browser, f"{width}-{name}")
    assert browser.execute_script("return document.documentElement.lang") == "ja"
    inner = browser.execute_script("return window.innerWidth")
    scroll = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= inner + 1, f"{name} scrolls sideways at {size[0]}px ({scroll} > {inner})"
    browser.execute_script(axe_source)
    violations = browser.execute_async_script(AXE_RUN)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_ask_a_question_then_follow_a_citation(browser, site, size):
    width = "phone" if size == PHONE else "desktop"
    _open(browser, site, "/ask", size)
    box = browser.find_element(*_by_css("#q"))
    box.send_keys("協働の形態にはどんなものがありますか")
    browser.find_element(*_by_css("form.ask button")).click()
    heading = _wait(browser, lambda d: d.find_elements(*_by_css("#answer-h")))[0]
    assert browser.current_url.endswith("/ask")  # answered in place, by corner.js
    assert browser.switch_to.active_element == heading  # focus moved to the answer
    _shot(browser, f"{width}-ask-answered")
    link = browser.find_element(*_by_css(".sources a"))
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    _wait(browser, lambda d: d.current_url.endswith(f"/guideline#{target}"))
    visible = browser.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return r.top >= -1 && r.top < window.innerHeight;",
        target,
    )
    assert visible, f"section {target} is not scrolled into view"
    _shot(browser, f"{width}-citation-{target}")


def test_feedback_buttons_answer_in_place(browser, site):
    _open(browser, site, "/ask", PHONE)
    browser.find_element(*_by_css("#q")).send_keys("協働とは何ですか")
    browser.find_element(*_by_css("form.ask button")).click()
    _wait(browser, lambda d: d.find_elements(*_by_css("form.press button")))
    yes = browser.find_elements(*_by_css("form.press button"))[0]
    assert yes.text == "はい"
    yes.click()
    _wait(browser, lambda d: "励みになります" in _text(d, "#result"))
    assert browser.find_elements(*_by_css("#answer-h"))  # the answer is still shown
    _shot(browser, "phone-ask-feedback")


def test_search_groups_by_field_and_words(browser, site):
    from selenium.webdriver.support.ui import Select

    _open(browser, site, "/groups", PHONE)
    assert "非公開の会" not in browser.page_source
    Select(browser.find_element(*_by_css("#field"))).select_by_visible_text("環境保全")
    browser.find_element(*_by_css("#gq")).send_keys("植樹")
    browser.find_element(*_by_css("form.search button")).click()
    _wait(browser, lambda d: "q=" in d.current_url and "検索結果" in _text(d, "#res-h"))
    names = [e.text for e in browser.find_elements(*_by_css(".group h3"))]
    assert names == ["こがねい緑の会"]
    assert "midori@example.jp" in browser.page_source
    _shot(browser, "phone-groups-search")


def test_which_division_fits_our_activity(browser, site):
    _open(browser, site, "/divisions", DESKTOP)
    browser.find_element(*_by_css("#activity")).send_keys("図書館で子どもに絵本の読み聞かせをしています")
    browser.find_element(*_by_css("#fit form button, form.search button")).click()
    result = _wait(browser, lambda d: d.find_elements(*_by_css("#fit-result")))[0]
    assert result.find_elements(*_by_css(".matches li ul li")), "no reasons shown"
    _shot(browser, "desktop-divisions-match")


def test_keyboard_focus_order_starts_with_the_skip_link(browser, site):
    from selenium.webdriver.common.keys import Keys

    _open(browser, site, "/", DESKTOP)
    order = []
    body = browser.find_element(*_by_css("body"))
    body.send_keys(Keys.TAB)
    for _ in range(10):
        el = browser.switch_to.active_element
        order.append(el.get_attribute("href") or el.get_attribute("id") or el.tag_name)
        el.send_keys(Keys.TAB)
    assert order[0].endswith("#main")  # 本文へ移動
    assert order[1].endswith("/")  # the site name
    nav = [h.rsplit("/", 1)[-1] for h in order[2:9]]
    assert nav == ["", "guideline", "faq", "ask", "groups", "opportunities", "divisions"]
    assert order[9] in ("/guideline#ch2-1", site.url + "/guideline#ch2-1") or order[9].endswith("#ch2-1")


def test_the_question_page_works_without_javascript(browser_without_js, site):
    driver = browser_without_js
    _open(driver, site, "/", PHONE)
    driver.find_element(*_by_css("#q")).send_keys("後援と共催の違いは？")
    driver.find_element(*_by_css("form.ask button")).click()
    _wait(driver, lambda d: d.find_elements(*_by_css("#answer-h")))
    assert "/ask" in driver.current_url  # a plain form post, answered on the question page
    assert driver.find_elements(*_by_css(".sources a"))
    _shot(driver, "phone-nojs-answer")
    driver.find_elements(*_by_css("form.press button"))[1].click()  # いいえ
    _wait(driver, lambda d: "ご意見ありがとうございます" in d.page_source)
    staff = driver.find_elements(*_by_css("form.press button"))
    assert [b.text for b in staff] == ["職員に質問を送る"]
    staff[0].click()
    _wait(driver, lambda d: "よろしいですか" in d.page_source)
    confirm = driver.find_elements(*_by_css("form.press button"))
    assert [b.text for b in confirm] == ["送る", "送らない"]
    confirm[0].click()
    _wait(driver, lambda d: "職員に送りました" in d.page_source)
    _shot(driver, "phone-nojs-handoff")
