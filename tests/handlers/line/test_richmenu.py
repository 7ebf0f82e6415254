"""`kyodo line richmenu` against the stand-in, and its image."""

from __future__ import annotations

import io
import json

from PIL import Image

from bot.cli import main
from bot.engine import messages as M
from handlers.line import richmenu as rm
from tests.support.line_app import TOKEN


def test_menu_has_six_areas_that_tile_the_image_and_send_engine_words():
    req = rm.richmenu_request()
    assert req["size"] == {"width": 2500, "height": 1686}
    texts = [a["action"]["text"] for a in req["areas"]]
    assert texts == [M.MENU_ABOUT, M.MENU_CHECK, M.MENU_REGISTER, M.MENU_CONSULT, M.MENU_FAQ, M.MENU_CONTACT]
    assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in req["areas"]) == 2500 * 1686


def test_image_is_drawn_with_the_shipped_japanese_subset():
    png, labelled = rm.render_image()
    assert labelled and rm.find_font("".join(e.label + e.hint for e in rm.entries())) == rm.SUBSET_FONT
    img = Image.open(io.BytesIO(png))
    assert img.size == (2500, 1686) and len(png) < 1_000_000


def test_icons_only_when_no_font_can_draw_the_labels(monkeypatch, tmp_path):
    monkeypatch.setattr(rm, "find_font", lambda text, explicit=None: None)
    png, labelled = rm.render_image()
    assert not labelled and Image.open(io.BytesIO(png)).size == (2500, 1686)


def test_dry_run_writes_png_and_prints_json(tmp_path, capsys):
    out = tmp_path / "menu.png"
    assert main(["line", "richmenu", "--dry-run", "--output", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert json.loads(capsys.readouterr().out)["chatBarText"] == rm.CHAT_BAR_TEXT


def test_upload_to_the_standin(standin, monkeypatch, capsys):
    standin.reset()
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("LINE_API_BASE_URL", standin.url)
    monkeypatch.setenv("LINE_DATA_API_BASE_URL", standin.url)
    assert main(["line", "richmenu"]) == 0
    assert standin.rejected() == []
    paths = [r.path for r in standin.requests()]
    assert (
        paths[0] == "/v2/bot/richmenu" and paths[1].endswith("/content") and "/user/all/richmenu/" in paths[2]
    )
    assert standin.state.default_richmenu in capsys.readouterr().out
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in standin.requests())
