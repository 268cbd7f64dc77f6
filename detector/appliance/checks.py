"""One finding of ``ansim doctor``: what was checked, how it went, how to fix it. Shared by the
portable checks (``doctor``) and the appliance's own (``pi_checks``)."""

from dataclasses import dataclass, field

from detector.i18n import describe_problem, t

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, and (unless ok) how to fix it.

    ``problem``, when the finding is an error it met (a wrong profile), fills the ``{error}``
    of the sentence in the language it is said in (``detector.i18n.describe_problem``);
    ``params["error"]`` keeps its English text for the JSON report."""

    name: str
    status: str  # OK, WARN or FAIL
    detail_key: str
    params: dict = field(default_factory=dict)
    fix_key: str | None = None
    problem: BaseException | None = None

    def detail(self, lang: str | None = None) -> str:
        if self.problem is not None:
            return t(self.detail_key, lang,
                     **{**self.params, "error": describe_problem(self.problem, lang)})
        return t(self.detail_key, lang, **self.params)

    def fix(self, lang: str | None = None) -> str | None:
        return t(self.fix_key, lang, **self.params) if self.fix_key else None
