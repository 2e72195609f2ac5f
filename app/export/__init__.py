"""The 报送包 (USB hand-over package): build, sign, write to a stick, verify; database backups.

The format is specified in app/export/format.py. Light imports only here: the district side
imports `verify_package` and `short_hash` without loading the PDF renderers.
"""

from app.export.format import EXTENSION, FORMAT, FORMAT_VERSION, short_hash
from app.export.verify import Problem, Verification, verify_package

__all__ = ["EXTENSION", "FORMAT", "FORMAT_VERSION", "Problem", "Verification", "short_hash",
           "verify_package"]
