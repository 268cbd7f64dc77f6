"""One finding of ``ansim doctor``: what was checked, how it went, how to fix it. Shared by the
portable checks (``doctor``) and the appliance's own (``pi_checks``)."""

from dataclasses import dataclass, field

from detector.i18n import t

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, and (unless ok) how to fix it."""

    name: str
    status: str  # OK, WARN or FAIL
    detail_key: str
    params: dict = field(default_factory=dict)
    fix_key: str | None = None

    def detail(self, lang: str | None = None) -> str:
        return t(self.detail_key, lang, **self.params)

    def fix(self, lang: str | None = None) -> str | None:
        return t(self.fix_key, lang, **self.params) if self.fix_key else None
