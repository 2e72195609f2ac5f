"""What a meeting code (and a contest code) may be. Codes go into file names (printed PDFs, the
报送包's `results/<code>.json`), command lines (`--meeting party`) and the pairing code, so they
are checked where they are entered: letters (Chinese included), digits, `-` and `_`, at most
CODE_MAX characters, not a Windows device name. Every code allowed here is its own safe file name
(app.fileio.safe_filename returns it unchanged); databases made before this check may hold other
codes, and the file-name paths still pass those through safe_filename."""

from __future__ import annotations

import unicodedata

from app.fileio import RESERVED_NAMES  # Windows device names

CODE_MAX = 32
_PUNCT_OK = "-_"
_LETTERS = ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd")
_SHOWN = {" ": "空格", "\u3000": "全角空格", "\t": "制表符"}


def _shown(c: str) -> str:
    if c in _SHOWN:
        return _SHOWN[c]
    if unicodedata.category(c)[0] in "CZ":
        return f"U+{ord(c):04X}"
    return f"“{c}”"


def code_problem(code: str, field: str = "会议代码") -> str:
    """'' when `code` is a good code; otherwise the reason in words, naming `field`."""
    if not code:
        return f"{field}不能为空"
    if len(code) > CODE_MAX:
        return f"{field}最长 {CODE_MAX} 个字符，现在 {len(code)} 个，请缩短"
    bad = [c for c in code if c not in _PUNCT_OK and unicodedata.category(c) not in _LETTERS]
    if bad:
        shown = "、".join(dict.fromkeys(_shown(c) for c in bad))
        return (f"{field}“{code}”含有不能用的字符：{shown}。{field}只能用字母、汉字、数字、"
                "- 和 _（它会用在文件名和命令里）")
    if code.upper() in RESERVED_NAMES:
        return f"{field}不能是“{code}”：这是 Windows 保留的设备名，不能用作文件名，请换一个"
    return ""
