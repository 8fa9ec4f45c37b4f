"""Safe Harbor PHI detection for hospital pages (no MkDocs here: a pure library)."""

from carepress.phi.detector import KINDS, PhiContext, PhiHit, line_col, scan

__all__ = ["KINDS", "PhiContext", "PhiHit", "line_col", "scan"]
