"""Reading the generated model files of a data directory (verifier.json, classifier_en.json).

They are optional (another city's data may have none: the rules answer alone), written by scripts,
and never edited by hand; a broken one must stop loading with its name, like a broken YAML file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_optional_json(data_dir: Path | str, name: str, error: type[Exception]) -> Any | None:
    """The parsed JSON of ``data_dir / name``, None when there is no such file; ``error`` (naming
    the file) when it is not valid JSON."""
    path = Path(data_dir) / name
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise error(f"{name}: not valid JSON: {exc}") from None
