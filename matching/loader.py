"""Load and validate the shipped data files (fields.yaml, divisions.yaml).

City staff edit these files by hand, so every problem is reported as ``file: entry: problem`` in
Japanese, and the whole file is checked before anything is used: a typo must stop the bot at start-up
with a clear message, never silently drop a division from the suggestions.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from matching import messages
from matching.folding import fold_word
from matching.model import Division, Field

DATA_DIR = Path(__file__).parent / "data"
FIELDS_PATH = DATA_DIR / "fields.yaml"
DIVISIONS_PATH = DATA_DIR / "divisions.yaml"
FIELDS_FILE, DIVISIONS_FILE = FIELDS_PATH.name, DIVISIONS_PATH.name

# The directory `Matcher.load()` reads (fields.yaml, divisions.yaml): the shipped data unless the
# application chose another city's (bot/settings.py: KYODO_MATCHING_DIR). The library reads no
# environment variable itself.
_chosen_dir: Path | None = None


def use_data_dir(path: Path | str | None) -> None:
    """Make ``Matcher.load()`` (and resolve_field...) read ``path`` instead of the shipped data."""
    global _chosen_dir
    _chosen_dir = Path(path) if path else None


def data_dir() -> Path:
    """The directory ``Matcher.load()`` reads."""
    return _chosen_dir or DATA_DIR


# libyaml's loader when PyYAML was built with it: same safe subset, ~10x faster (0.17 s -> 0.02 s).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FIELD_COUNT = 20
KA_EN_MAX = 60  # an English division name, shown to English users beside the Japanese one
BU_STATUSES = ("confirmed", "inferred")
_ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_FIELD_KEYS = {"number", "name", "label", "main_division", "words"}
_DIVISION_KEYS = {
    "id",
    "bu",
    "ka",
    "ka_en",
    "name",
    "bu_status",
    "bu_note",
    "summary",
    "fields",
    "projects",
    "keywords",
    "facilities",
    "people",
    "slack_channel",
}


class DataError(ValueError):
    """A data file is malformed. The message names the file, the entry and the problem."""

    def __init__(self, file: Path | str, entry: str, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(messages.ERR_PREFIX.format(file=self.file, entry=entry, problem=problem))


def _is_kanji(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def check_word(word: Any, file: Path, entry: str) -> str:
    """A matching word must be text, non-empty once folded, and one character only if a kanji."""
    if not isinstance(word, str):
        raise DataError(file, entry, f'ことば {word!r} が文字列ではありません（引用符 "…" で囲んでください）')
    key = fold_word(word)
    if not key:
        raise DataError(file, entry, f"ことば {word!r} が空です")
    if len(key) == 1 and not _is_kanji(key):
        raise DataError(file, entry, f"ことば {word!r} は短すぎます（1文字のことばは漢字のみ使えます）")
    return key


def _read_yaml(path: Path, top_key: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_SafeLoader)
    except FileNotFoundError:
        raise DataError(path, "ファイル", "ファイルが見つかりません") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark is not None else "ファイル"
        raise DataError(
            path, where, f"YAML の書き方に誤りがあります（{getattr(exc, 'problem', exc)}）"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get(top_key), list):
        raise DataError(path, "ファイル", f"先頭に「{top_key}:」のリストが必要です")
    return data


def _str(value: Any, file: Path, entry: str, key: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise DataError(file, entry, f"{key} が空か、文字列ではありません")
    return value.strip()


def _word_list(value: Any, file: Path, entry: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise DataError(file, entry, f"{key} はリスト [..] で書いてください")
    seen: set[str] = set()
    out: list[str] = []
    for word in value:
        k = check_word(word, file, entry)
        if k in seen:
            raise DataError(file, entry, f"{key} に「{word}」が重複しています")
        seen.add(k)
        out.append(word.strip())
    return tuple(out)


def load_fields(path: Path = FIELDS_PATH) -> tuple[list[Field], tuple[str, ...]]:
    """Return the 20 fields (ordered by number) and the ignore-word list."""
    data = _read_yaml(path, "fields")
    fields: list[Field] = []
    numbers: set[int] = set()
    names: set[str] = set()
    word_owner: dict[str, int] = {}
    for index, raw in enumerate(data["fields"], start=1):
        entry = messages.ERR_ENTRY_INDEX.format(index=index)
        if not isinstance(raw, dict):
            raise DataError(path, entry, "項目は「number: …」などの組で書いてください")
        number = raw.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= FIELD_COUNT:
            raise DataError(path, entry, f"number は 1〜{FIELD_COUNT} の整数で書いてください（{number!r}）")
        entry = messages.ERR_ENTRY_FIELD.format(number=number)
        unknown = set(raw) - _FIELD_KEYS
        if unknown:
            raise DataError(path, entry, f"知らない項目があります: {', '.join(sorted(map(str, unknown)))}")
        if number in numbers:
            raise DataError(path, entry, "番号が重複しています")
        numbers.add(number)
        name = _str(raw.get("name"), path, entry, "name")
        label = _str(raw.get("label"), path, entry, "label")
        for text in (name, label):
            if fold_word(text) in names:
                raise DataError(path, entry, f"「{text}」がほかの分野の名前と重複しています")
        names.update({fold_word(name), fold_word(label)})
        main = _str(raw.get("main_division"), path, entry, "main_division", optional=True)
        words = _word_list(raw.get("words"), path, entry, "words")
        for word in words:
            owner = word_owner.setdefault(fold_word(word), number)
            if owner != number:
                raise DataError(
                    path,
                    entry,
                    f"ことば「{word}」は分野 {owner} にもあります（1つの分野にだけ書いてください）",
                )
        fields.append(Field(number=number, name=name, label=label, main_division=main, words=words))
    missing = sorted(set(range(1, FIELD_COUNT + 1)) - numbers)
    if missing:
        raise DataError(
            path, "ファイル", f"分野 {', '.join(map(str, missing))} がありません（20分野すべてが必要です）"
        )
    ignore = _word_list(data.get("ignore_words"), path, "ignore_words", "ignore_words")
    fields.sort(key=lambda f: f.number)
    return fields, ignore


def load_word_lists(path: Path = FIELDS_PATH) -> dict[str, tuple[str, ...]]:
    """The extra word lists of fields.yaml, each possibly empty:

    * ``service_modes``: words for *how* help is given (配食, 見守り, 居場所), which any group of people
      can receive;
    * ``meeting_places``: halls that groups book whatever they do (公民館, 市民会館, 地域センター);
    * ``member_people``: people words that in a club often only say who the members are (高齢者,
      シニア): in a culture or sports club they are the audience, not the topic.

    See matcher.py for how they are used.
    """
    data = _read_yaml(path, "fields")
    keys = ("service_modes", "meeting_places", "member_people")
    return {key: _word_list(data.get(key), path, key, key) for key in keys}


def _fingerprint(raw: dict[str, Any]) -> str:
    canonical = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_desk(path: Path, divisions: list[Division]) -> str | None:
    """The display name of the division that is the city's desk for 協働 (divisions.yaml's optional
    top-level ``desk: <division id>``), or None."""
    desk = _read_yaml(path, "divisions").get("desk")
    if desk is None:
        return None
    for d in divisions:
        if d.id == desk:
            return d.name
    raise DataError(path, "desk", f"desk「{desk}」は divisions にありません（課の id を書いてください）")


def load_divisions(
    path: Path = DIVISIONS_PATH, fields: list[Field] | None = None, fields_path: Path = FIELDS_PATH
) -> list[Division]:
    """Return the divisions in file order, checked against the fields (numbers, main divisions)."""
    data = _read_yaml(path, "divisions")
    known_fields = {f.number for f in fields} if fields is not None else set(range(1, FIELD_COUNT + 1))
    divisions: list[Division] = []
    ids: set[str] = set()
    facility_owner: dict[str, str] = {}
    for index, raw in enumerate(data["divisions"], start=1):
        entry = messages.ERR_ENTRY_INDEX.format(index=index)
        if not isinstance(raw, dict):
            raise DataError(path, entry, "項目は「id: …」などの組で書いてください")
        div_id = raw.get("id")
        if not isinstance(div_id, str) or not _ID_RE.match(div_id):
            raise DataError(
                path,
                entry,
                f"id {div_id!r} は半角英小文字・数字とハイフンで書いてください（例: kankyo-seisaku）",
            )
        entry = messages.ERR_ENTRY_DIVISION.format(id=div_id)
        if div_id in ids:
            raise DataError(path, entry, "id が重複しています")
        ids.add(div_id)
        unknown = set(raw) - _DIVISION_KEYS
        if unknown:
            raise DataError(path, entry, f"知らない項目があります: {', '.join(sorted(map(str, unknown)))}")
        bu = _str(raw.get("bu"), path, entry, "bu")
        ka = _str(raw.get("ka"), path, entry, "ka")
        name = _str(raw.get("name"), path, entry, "name", optional=True) or f"{bu} {ka}"
        ka_en = _str(raw.get("ka_en"), path, entry, "ka_en", optional=True) or ""
        if len(ka_en) > KA_EN_MAX or re.search(r"[^\x20-\x7e]", ka_en):
            raise DataError(path, entry, f"ka_en は{KA_EN_MAX}字以内の英語（半角）で書いてください（{ka_en!r}）")
        bu_status = raw.get("bu_status")
        if bu_status not in BU_STATUSES:
            raise DataError(
                path, entry, f"bu_status は {' か '.join(BU_STATUSES)} で書いてください（{bu_status!r}）"
            )
        bu_note = _str(raw.get("bu_note"), path, entry, "bu_note")
        summary = _str(raw.get("summary"), path, entry, "summary")
        div_fields = raw.get("fields") or []
        if not isinstance(div_fields, list):
            raise DataError(path, entry, "fields は分野番号のリスト [7, 3] で書いてください")
        for number in div_fields:
            if not isinstance(number, int) or isinstance(number, bool) or number not in known_fields:
                raise DataError(path, entry, f"分野番号 {number!r} は fields.yaml にありません")
        if len(set(div_fields)) != len(div_fields):
            raise DataError(path, entry, "fields に同じ番号が重複しています")
        projects_raw = raw.get("projects") or {}
        if not isinstance(projects_raw, dict):
            raise DataError(path, entry, "projects は「事業名: [ことば, …]」の形で書いてください")
        projects: list[tuple[str, tuple[str, ...]]] = []
        for project, words in projects_raw.items():
            p = _str(project, path, entry, "projects の事業名")
            projects.append((p, _word_list(words, path, f"{entry} の事業「{p}」", "ことば")))
        keywords = _word_list(raw.get("keywords"), path, entry, "keywords")
        facilities = _word_list(raw.get("facilities"), path, entry, "facilities")
        people = _word_list(raw.get("people"), path, entry, "people")
        for word in facilities:
            owner = facility_owner.setdefault(fold_word(word), div_id)
            if owner != div_id:
                raise DataError(
                    path,
                    entry,
                    f"施設・名称「{word}」は課 {owner} にもあります（施設は1つの課にだけ書いてください）",
                )
        slack = raw.get("slack_channel")
        if slack is not None and (not isinstance(slack, str) or not slack.strip()):
            raise DataError(path, entry, "slack_channel はチャンネル名か null で書いてください")
        divisions.append(
            Division(
                id=div_id,
                bu=bu,
                ka=ka,
                name=name,
                bu_status=bu_status,
                bu_note=bu_note,
                summary=summary,
                fields=tuple(div_fields),
                projects=tuple(projects),
                keywords=keywords,
                slack_channel=slack.strip() if slack else None,
                # (the English name is for display: editing it does not refresh suggestions)
                fingerprint=_fingerprint({k: v for k, v in raw.items() if k != "ka_en"}),
                ka_en=ka_en,
                facilities=facilities,
                people=people,
            )
        )
    if not divisions:
        raise DataError(path, "ファイル", "課が1つもありません")
    if fields is not None:
        by_id = {d.id: d for d in divisions}
        for f in fields:
            if f.main_division is None:
                continue
            div = by_id.get(f.main_division)
            if div is None:
                raise DataError(
                    fields_path,
                    messages.ERR_ENTRY_FIELD.format(number=f.number),
                    f"main_division「{f.main_division}」は divisions.yaml にありません",
                )
            if f.number not in div.fields:
                raise DataError(
                    fields_path,
                    messages.ERR_ENTRY_FIELD.format(number=f.number),
                    f"main_division「{f.main_division}」の fields に {f.number} が入っていません",
                )
    return divisions
