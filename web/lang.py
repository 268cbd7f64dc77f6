"""The page language: the user's own choice, else the browser's (Accept-Language), else the
device profile's. Every text on every page comes from ``detector.i18n`` in that language."""

from flask import g, request

from detector import i18n

LANGUAGE_COOKIE = "ansim_lang"


def choose_language(default: str) -> str:
    user = getattr(g, "user", None)
    if user is not None and user.language in i18n.LANGUAGES:
        return user.language
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in i18n.LANGUAGES:
        return cookie
    return request.accept_languages.best_match(i18n.LANGUAGES) or default


def text(key: str, **params) -> str:
    """``t`` in the language of this request (what templates call ``_``)."""
    return i18n.t(key, lang=g.get("lang") or i18n.current_language(), **params)


def texts_with_prefix(prefix: str) -> dict[str, str]:
    """All of this request's language's texts under ``prefix`` (for the page scripts)."""
    lang = g.get("lang") or i18n.current_language()
    return {k: v for k, v in i18n.catalogue(lang).items() if k.startswith(prefix)}


def record_number(seq: int) -> str:
    """A record as people name it, on the web as on the command line (``log.record_number``):
    "기록 #3", the device's sequence number of the signed record."""
    return text("log.record_number", seq=seq)
