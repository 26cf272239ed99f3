"""Precision, recall and F1 from counts, shared by the quality gates and benchmarks of every stage."""

from __future__ import annotations


class PrecisionRecall:
    """Mixin for anything with ``tp``, ``fp`` and ``fn`` counts; an empty side counts as perfect.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Counts(PrecisionRecall):
    ...     tp: int
    ...     fp: int
    ...     fn: int
    >>> c = Counts(tp=3, fp=1, fn=0)
    >>> c.precision, c.recall, round(c.f1, 3)
    (0.75, 1.0, 0.857)
    """

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0
