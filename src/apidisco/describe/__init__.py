"""Descriptions of API operations written by a language model, when one is configured.

Inference always gives each operation a deterministic one-line summary ("List
users"). With ``llm_url`` set, :func:`describe_operations` asks an
OpenAI-compatible chat completions API (:class:`apidisco.describe.chat.ChatClient`)
for a better description, telling it names only, never values or secrets
(``docs/descriptions.md``). Importing this package loads no HTTP library;
``apidisco.describe.chat`` does, when a client is made.
"""

from __future__ import annotations

from apidisco.describe.briefs import OperationBrief
from apidisco.describe.llm import describe_operations

__all__ = ["OperationBrief", "describe_operations"]
