"""carepress: compliant health-education sites for hospitals, on MkDocs."""

__version__ = "0.1.0"
