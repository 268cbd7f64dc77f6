"""The one translation layer: every string an inspector, volunteer or supervisor reads goes
through ``t(key, **params)``.

Catalogues are JSON files under ``detector/locale/<lang>/`` (one file per area: ``cli.json``,
``rf.json``, ``web.json``, ...), merged per language. Korean (``ko``) and English (``en``) must
hold the same keys; ``tests/detector/test_i18n.py`` checks it. The language is chosen once, at
the edge: ``--lang``, then ``ANSIM_LANG``, then the device profile, then Korean, the first users'
language.

Errors raised by the pure layers carry English text for developers; ``describe_error`` shows a
translated sentence when the exception class has a catalogue entry (``error.<ClassName>``),
then the exception's detail: translated too when the error names its problem by a code
(``problem.<code>``, the file readers' errors; with ``problem_parts`` when it found many
problems at once) or is an ``OSError``, else its own text.
"""

import errno
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


class Term(str):
    """A problem's parameter that is itself said in the user's language: a catalogue key (an
    inspection's status, ``inspect.status.signed_off``), translated when the problem is
    described (``describe_problem``), where a plain parameter (an id, a path, a figure) is
    shown as it is."""


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
    """A user-facing sentence for ``exc``: its translated kind, then its detail
    (``describe_problem``)."""
    lang = lang or current_language()
    for cls in type(exc).__mro__:
        key = f"error.{cls.__name__}"
        if key in catalogue(lang):
            return f"{t(key, lang)}: {describe_problem(exc, lang)}"
    return f"{t('error.unexpected', lang)}: {describe_problem(exc, lang)}"


#: How many of an error's sub-problems (``problem_parts``) are said; the rest are counted.
MAX_PARTS_SAID = 50


def describe_problem(exc: BaseException, lang: str | None = None) -> str:
    """An error's (or warning's) own detail in the user's language.

    The file readers' errors carry ``problem_code`` and ``problem_params`` (and ``where``, the
    file they are about): they become ``where: <problem.CODE>``, so nothing English follows a
    Korean lead-in; a parameter that is a ``Term`` is said in the user's language too. An
    error that found many problems at once (every bad row of a CSV file)
    carries them as ``problem_parts``, a list of ``(code, params)`` pairs said after its own
    problem: ``where: <problem.CODE>: <part>; <part>; ...`` with the separator
    (``problem.parts.separator``) of the user's language, the first ``MAX_PARTS_SAID`` of
    them and then how many more (``problem.parts.more``). This is the one place parts are
    joined: an error lists its problems this way, never by joining sentences itself. An
    ``OSError`` is said by its errno (``problem.os.ENOENT``, else ``problem.unreadable``).
    Anything else keeps its own text.
    """
    lang = lang or current_language()
    code = getattr(exc, "problem_code", None)
    if code is not None:
        sentence = t(f"problem.{code}", lang, **_said_params(exc.problem_params, lang))
        parts = getattr(exc, "problem_parts", None)
        if parts:
            sentence = f"{sentence}: {_said_parts(parts, lang)}"
        where = getattr(exc, "where", None)
        return f"{where}: {sentence}" if where else sentence
    if isinstance(exc, OSError) and exc.errno in errno.errorcode:
        name = errno.errorcode[exc.errno]
        key = f"problem.os.{name}"
        sentence = t(key, lang) if key in catalogue(lang) else t("problem.unreadable", lang,
                                                                 reason=name)
        return f"{exc.filename}: {sentence}" if exc.filename is not None else sentence
    return str(exc)


def _said_params(params: dict, lang: str) -> dict:
    """A problem's parameters with each ``Term`` said in ``lang``."""
    return {name: t(value, lang) if isinstance(value, Term) else value
            for name, value in params.items()}


def _said_parts(parts, lang: str) -> str:
    """``problem_parts`` as one sentence: each part's problem, joined in ``lang``."""
    said = [t(f"problem.{code}", lang, **_said_params(params, lang))
            for code, params in parts[:MAX_PARTS_SAID]]
    if len(parts) > MAX_PARTS_SAID:
        said.append(t("problem.parts.more", lang, count=len(parts) - MAX_PARTS_SAID))
    return t("problem.parts.separator", lang).join(said)
