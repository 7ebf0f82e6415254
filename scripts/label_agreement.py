"""How often two labellers of a real-group set agree (issue 12 item 13: is 95 % top-1 within reach?).

    python scripts/label_agreement.py evaluation/matching_real_holdout7.yaml \
        evaluation/matching_second_labels7.yaml

The second file lists ``{n, expect, top3}`` for profile n (1-based, in the first file's order).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml


def main(first: str, second: str) -> int:
    a = yaml.safe_load(Path(first).read_text(encoding="utf-8"))["profiles"]
    b = {p["n"]: p for p in yaml.safe_load(Path(second).read_text(encoding="utf-8"))["profiles"]}
    n = len(a)
    if set(b) != set(range(1, n + 1)):
        print(f"{second}: expected n = 1..{n}", file=sys.stderr)
        return 2
    rows = [
        (p["expect"], p.get("top3", p["expect"]), b[i]["expect"], b[i].get("top3", b[i]["expect"]))
        for i, p in enumerate(a, 1)
    ]
    figures = {
        "second's first choice among the first's first choices": sum(eb[0] in ea for ea, _, eb, _ in rows),
        "first's first choice among the second's first choices": sum(ea[0] in eb for ea, _, eb, _ in rows),
        "second's first choice within the first's three": sum(eb[0] in ta for _, ta, eb, _ in rows),
        "first's first choice within the second's three": sum(ea[0] in tb for ea, _, _, tb in rows),
    }
    for label, k in figures.items():
        print(f"{label}: {k}/{n} = {100 * k / n:.1f}%")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
