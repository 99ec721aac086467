"""Arbiters with chosen estimates, to test what the guards let them do."""

from __future__ import annotations

from bot.arbiter import FEATURES, VERDICTS, Arbiter
from bot.models import Verdict


def constant_arbiter(right: dict[Verdict, float], permissive: float = 0.0, restrictive: float = 0.0) -> Arbiter:
    """An arbiter whose estimates do not depend on what it reads: each head is almost surely yes
    (``> 0.5``), almost surely no (``< 0.5``) or even (``0.5``); only the biases are set."""

    def head(p: float) -> tuple[float, ...]:
        bias = 0.0 if p == 0.5 else (50.0 if p > 0.5 else -50.0)
        return tuple(bias if name.endswith(":bias") else 0.0 for name in FEATURES)

    weights = {f"right:{v.value}": head(right.get(v, 0.0)) for v in VERDICTS}
    weights |= {"permissive": head(permissive), "restrictive": head(restrictive)}
    return Arbiter(weights, {"note": "constant"})
