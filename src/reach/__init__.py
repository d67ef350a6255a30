"""reach: who do we know, and who can introduce us?"""

from __future__ import annotations

__version__ = "0.1.0"
