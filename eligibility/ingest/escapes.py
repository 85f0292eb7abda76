"""Registry text arrives Markdown-escaped (``\\<60``, ``10\\^9``, ``6\\.``).

The escapes stand for their characters; removing them before anything else
means spans, rules and reports all speak of the text a person reads.
"""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>^|~=\"'&%$@:;,/?])")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def unescape(text: str) -> str:
    text = _ZERO_WIDTH.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return _ESCAPE.sub(r"\1", text)
