"""Plans: the ordered, inert statements a push runs, with the risks they carry."""

from trueup.plan.plan import Finding, Plan, Risk, Step

__all__ = ["Finding", "Plan", "Risk", "Step"]
