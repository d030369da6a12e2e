"""Traditional characters (mirror sites) converted to simplified before matching.

Conversion uses OpenCC's ``t2s`` (characters only).  Phrase conversion (``tw2sp``)
was tried and rejected: it rewrites official labels (查詢→查找).  The one phrase a
mirror substitutes inside a table label (文件→檔案) is a label variant in
``recognize.IMPORT_VARIANTS``.  It is applied only when the document really is in traditional characters, so a
simplified report is never touched (``乾``, ``著`` … stay as printed).
"""

from __future__ import annotations

from functools import lru_cache

from . import Document, Para, Table

# Characters that appear in traditional text of these reports and never in simplified.
_TRADITIONAL = set("與為們國來說時個開關會對發體點會機構這產經區縣鄉鎮處專業單數據資訊開條例檔報告書"
                   "規範諮詢複議訴訟結維護糾審計總請決處罰強製費實際組織證據許")
_SIMPLIFIED_TWIN = set("与为们国来说时个开关会对发体点机构这产经区县乡镇处专业单数据资讯条例档报告书"
                       "规范咨询复议诉讼结维护纠审计总请决处罚强制费实际组织证据许")
_TRADITIONAL -= _SIMPLIFIED_TWIN


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s")


def is_traditional(text: str) -> bool:
    hits = sum(1 for ch in text if ch in _TRADITIONAL)
    return hits >= 5 and hits * 200 >= len(text)


def to_simplified(doc: Document) -> None:
    sample = "".join(b if isinstance(b, str) else "".join("".join(r) for r in b.rows)
                     for b in doc.blocks[:400])[:200_000]
    if not is_traditional(sample):
        return
    conv = _converter()
    if conv is None:
        doc.notes.append("文档为繁体字，但未安装 OpenCC（pip install opencc），无法转换为简体，识别可能不完整")
        return
    for i, b in enumerate(doc.blocks):
        if isinstance(b, Table):
            b.rows = [[conv.convert(c) for c in r] for r in b.rows]
        else:
            doc.blocks[i] = Para(conv.convert(str(b)), getattr(b, "where", ""))
    doc.notes.append("文档为繁体字，已转换为简体后识别")
