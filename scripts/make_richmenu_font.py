"""Regenerate the tiny font subset the rich menu is drawn with (bot/assets/).

Needs fontTools and a Noto Sans CJK JP Bold file (e.g. from the PyPI package
``noto-cjk-sans-jp-bold``), only when the menu's labels change:

    pip install --target /tmp/ft fonttools && pip download --no-deps noto-cjk-sans-jp-bold
    PYTHONPATH=.:/tmp/ft python scripts/make_richmenu_font.py path/to/NotoSansCJKjp-Bold.otf

The subset keeps only the glyphs of the menu (plus ASCII), so the repository carries a few KB
instead of a 16 MB font. Noto Sans CJK is under the SIL Open Font License 1.1, which allows this;
the licence travels with the subset (bot/assets/OFL-NotoSansCJK.txt).
"""

from __future__ import annotations

import string
import sys

from fontTools import subset

from handlers.line.richmenu import ASSETS, SUBSET_FONT, entries


def main(source: str) -> None:
    chars = sorted(set("".join(e.label + e.hint for e in entries()) + string.printable.strip() + "・"))
    text = "".join(chars)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(source, options)
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    subset.save_font(font, str(SUBSET_FONT), options)
    (ASSETS / "richmenu-subset-chars.txt").write_text(text, encoding="utf-8")
    print(f"{SUBSET_FONT}: {SUBSET_FONT.stat().st_size:,} bytes, {len(chars)} characters")


if __name__ == "__main__":
    main(sys.argv[1])
