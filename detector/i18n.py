"""The one translation layer: every string an inspector, volunteer or supervisor reads goes
through ``t(key, **params)``.

Catalogues are JSON files under ``detector/locale/<lang>/`` (one file per area: ``cli.json``,
``rf.json``, ``web.json``, ...), merged per language. Korean (``ko``) and English (``en``) must
hold the same keys; ``tests/detector/test_i18n.py`` checks it. The language is chosen once, at
the edge: ``--lang``, then ``ANSIM_LANG``, then the device profile, then Korean, the first users'
language.

Errors raised by the pure layers carry English text for developers; ``describe_error`` shows a
translated sentence when the exception class has a catalogue entry (``error.<ClassName>``),
with the exception's own detail (file name, line, key) appended.
"""

import json
import os
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
_LOCALE_DIR = Path(__file__).with_name("locale")
_current = {"lang": None}


class MissingTranslation(KeyError):
    """A key is used that the catalogue lacks: a bug, caught by the catalogue tests."""


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All keys of ``lang``, merged from every JSON file of that language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {LANGUAGES}")
    merged: dict[str, str] = {}
    for path in sorted((_LOCALE_DIR / lang).glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        clashes = merged.keys() & entries.keys()
        if clashes:
            raise ValueError(f"{path}: keys defined twice: {sorted(clashes)}")
        merged.update(entries)
    return merged


def set_language(lang: str | None) -> str:
    """Choose the language (None: ``ANSIM_LANG`` or the default) and return it."""
    lang = lang or os.environ.get("ANSIM_LANG") or DEFAULT_LANGUAGE
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {LANGUAGES}")
    _current["lang"] = lang
    return lang


def current_language() -> str:
    return _current["lang"] or set_language(None)


def t(key: str, lang: str | None = None, **params) -> str:
    """The text for ``key`` in the current (or given) language, with ``{params}`` filled in."""
    text = catalogue(lang or current_language()).get(key)
    if text is None:
        raise MissingTranslation(key)
    return text.format(**params) if params else text


def describe_error(exc: BaseException, lang: str | None = None) -> str:
    """A user-facing sentence for ``exc``: its translated kind, then its own detail."""
    lang = lang or current_language()
    for cls in type(exc).__mro__:
        key = f"error.{cls.__name__}"
        if key in catalogue(lang):
            return f"{t(key, lang)}: {exc}"
    return f"{t('error.unexpected', lang)}: {exc}"
