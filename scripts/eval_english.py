"""Score the English answers (issue 15) on evaluation/english_dev.yaml or english_holdout.yaml.

    PYTHONPATH=. python scripts/eval_english.py               # english_dev.yaml, with failures
    PYTHONPATH=. python scripts/eval_english.py --holdout     # english_holdout.yaml: figures only (measure once)
    PYTHONPATH=. python scripts/eval_english.py --holdout --show

The same verdicts and figures as scripts/eval_real.py (right = answered with an accepted id, or
not answered when ``decline_ok``; wrong = answered with another id; missed = not answered
although answerable), with the targets of issue 15: held-out right >= 90 %, out-of-scope
declined >= 95 %, wrong <= 3 %. Also printed: how many replies were not in English (every
question of these sets is English or romaji).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _eval_real():
    spec = importlib.util.spec_from_file_location("eval_real", ROOT / "scripts" / "eval_real.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["eval_real"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--holdout", action="store_true", help="evaluation/english_holdout.yaml (measure once, at the end)")
    p.add_argument("--show", action="store_true", help="list failures also for the held-out set")
    p.add_argument("--file", action="append", default=[], help="another English question file (repeatable)")
    p.add_argument("--data-dir", default=None, help="knowledge data directory (default: shipped data)")
    args = p.parse_args(argv)
    er = _eval_real()
    if args.file:
        paths = [Path(f) for f in args.file]
    else:
        paths = [ROOT / "evaluation" / ("english_holdout.yaml" if args.holdout else "english_dev.yaml")]
    from knowledge import Answerer

    answerer = Answerer.load(args.data_dir)
    outcomes = []
    not_english = []
    for path in paths:
        print(path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path)
        outcomes += er.score(answerer, path)
        for item in er.load_questions(path):
            lang = answerer.answer(str(item.get("q", ""))).lang
            if lang != "en":
                not_english.append((item.get("q"), lang))
    show = args.show or not (args.holdout or any("holdout" in p.name for p in paths))
    er.report(outcomes, show)
    print(f"replies not in English: {len(not_english)}/{len(outcomes)}")
    if show:
        for q, lang in not_english:
            print(f"  [{lang}] {q!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
