"""What to do when a camera is found, as Seoul's procedure for public restrooms has it, and
the record of each step done.

The steps, in order (``FOUND_STEPS``):

==================  ===========================================================================
``not_touched``     do not touch or remove the camera (fingerprints, and the police's evidence)
``stall_closed``    keep the stall closed to users until the police arrive
``called_112``      call the police (112)
``evidence_kept``   keep the evidence: this inspection's signed record, its images and spectra
``notified``        tell the site's manager and the city; write down who was told
==================  ===========================================================================

Each step an inspector confirms is kept in the inspection's escalation as
``procedure: [{"step", "at", "by"}]`` (the device clock's UTC time), and so in the signed
record: a supervisor sees what was done and when. Pure: the engine stamps and stores.
"""

FOUND_STEPS = ("not_touched", "stall_closed", "called_112", "evidence_kept", "notified")


class FoundStepError(ValueError):
    """A step that is not one of ``FOUND_STEPS``. Like the file readers' errors it carries
    ``problem_code`` and ``problem_params``, so the refusal is said in the user's language."""

    def __init__(self, step: str):
        self.problem_code = "unknown_found_step"
        self.problem_params = {"step": step, "steps": ", ".join(FOUND_STEPS)}
        super().__init__(f"unknown step {step!r}; steps are {', '.join(FOUND_STEPS)}")


def with_step(escalation: dict | None, step: str, at: str, by: str) -> dict:
    """``escalation`` with ``step`` recorded as done at ``at`` by ``by`` (a step done twice
    keeps its first time: the procedure is about when it was first done)."""
    if step not in FOUND_STEPS:
        raise FoundStepError(step)
    escalation = dict(escalation or {})
    procedure = list(escalation.get("procedure", []))
    if not any(done["step"] == step for done in procedure):
        procedure.append({"step": step, "at": at, "by": by})
    escalation["procedure"] = sorted(procedure, key=lambda d: FOUND_STEPS.index(d["step"]))
    return escalation
