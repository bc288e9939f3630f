"""The bulletin's chart, drawn on the server with matplotlib (Agg) in a CJK font the project depends on.

The font is Noto Sans CJK SC from the `noto-cjk-sans-otc` package (SIL OFL 1.1; a 19 MB collection, no other
dependency), so a fresh machine without any Chinese system font draws the same chart. Nothing falls back
silently: if the face is missing or lacks a glyph of the text to draw, `ChartFontError` says what to install.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

FAMILY = "Noto Sans CJK SC"
LIGHT_COLOURS = {"green": "#2e9d57", "yellow": "#f2b705", "red": "#d9302c", "grey": "#9aa0a6"}


class ChartFontError(RuntimeError):
    """The chart's Chinese font is missing or cannot draw the text."""


@dataclass(frozen=True)
class CJKFont:
    path: str
    index: int

    @property
    def properties(self) -> font_manager.FontProperties:
        return font_manager.FontProperties(fname=font_manager.FontPath(self.path, self.index))

    def missing(self, text: str) -> list[str]:
        """The characters of `text` this face has no glyph for (they would draw as .notdef boxes)."""
        face = FT2Font(self.path, face_index=self.index)
        return sorted({ch for ch in text if not ch.isspace() and face.get_char_index(ord(ch)) == 0})


@lru_cache(maxsize=1)
def cjk_font() -> CJKFont:
    """The Simplified-Chinese face of the packaged Noto Sans CJK collection; ChartFontError if it is not there."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        raise ChartFontError("缺少图表所需的中文字体包 noto-cjk-sans-otc，请执行 pip install 'noto-cjk-sans-otc>=0.0.1,<0.1' 后重试。") from None
    path = str(noto_cjk_sans_otc.FONT_PATH)
    try:
        first = FT2Font(path)
        faces = first.num_faces
    except (OSError, RuntimeError) as exc:
        raise ChartFontError(f"中文字体文件 {path} 无法读取（{exc}），请重新安装 noto-cjk-sans-otc。") from None
    for index in range(faces):
        face = FT2Font(path, face_index=index)
        if face.family_name == FAMILY:
            return CJKFont(path, index)
    raise ChartFontError(f"中文字体文件 {path} 中没有“{FAMILY}”字形，请重新安装 noto-cjk-sans-otc。")


def _checked(font: CJKFont, texts) -> None:
    missing = font.missing("".join(texts))
    if missing:
        raise ChartFontError("图表字体缺少以下字符的字形：" + "".join(missing[:20]) + "。请检查专项行动名称中的生僻字。")


def lights_chart(rows: list[tuple[str, dict[str, int]]], *, title: str, labels: dict[str, str], axis: str) -> bytes:
    """A horizontal stacked bar per campaign of its open tasks by light, as PNG bytes.

    rows: [(campaign name, {"green": n, "yellow": n, "red": n, "grey": n})]; labels: light → its Chinese name.
    """
    font = cjk_font()
    names = [name for name, _counts in rows] or ["—"]
    _checked(font, [title, axis, *names, *labels.values()])
    prop = font.properties
    height = 1.6 + 0.45 * len(names)
    figure = Figure(figsize=(6.3, height), dpi=150)
    ax = figure.subplots()
    left = [0] * len(names)
    positions = list(range(len(names)))[::-1]
    for light, colour in LIGHT_COLOURS.items():
        values = [counts.get(light, 0) for _name, counts in rows] or [0]
        bars = ax.barh(positions, values, left=left, color=colour, label=labels[light], height=0.6)
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(value),
                        ha="center", va="center", fontsize=8, color="white" if light != "yellow" else "black", fontproperties=prop)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions)
    ax.set_yticklabels(names, fontproperties=prop, fontsize=9)
    for tick in ax.get_xticklabels():
        tick.set_fontproperties(prop)
    ax.set_xlabel(axis, fontproperties=prop, fontsize=9)
    ax.set_title(title, fontproperties=prop, fontsize=11)
    legend_font = font_manager.FontProperties(fname=font_manager.FontPath(font.path, font.index), size=8)
    ax.legend(prop=legend_font, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    output = io.BytesIO()
    figure.savefig(output, format="png")
    return output.getvalue()


def text_image(text: str, *, font: CJKFont | None = None, size: int = 32):
    """`text` drawn alone in black on white with the chart's font, as a Pillow image (for checking glyphs)."""
    from PIL import Image

    font = font or cjk_font()
    figure = Figure(figsize=(len(text) * size / 72 + 0.5, size / 72 + 0.5), dpi=72)
    figure.text(0.02, 0.2, text, fontproperties=font.properties, fontsize=size)
    output = io.BytesIO()
    figure.savefig(output, format="png", facecolor="white")
    output.seek(0)
    return Image.open(output).convert("L")
