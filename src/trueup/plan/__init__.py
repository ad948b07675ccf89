"""Plans: the ordered, inert statements a push runs, with the risks they carry."""

from trueup.plan.plan import Finding, Phase, Plan, Risk, Step, script_lines

__all__ = ["Finding", "Phase", "Plan", "Risk", "Step", "script_lines"]
