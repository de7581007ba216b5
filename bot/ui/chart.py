"""The report as a PNG chart: replies per week and territory, with who opened each week.

Pillow rather than matplotlib: one wheel without further dependencies (matplotlib brings numpy, fonttools,
kiwisolver… some 40 MB and half a second of import), and a bar chart needs nothing more. It is imported
inside the function, so the bot does not load it until someone asks for a report.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.domain.reciprocity import CircleReport

WIDTH, HEIGHT = 960, 540
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 30, 80, 110
# Colour-blind-safe pair (Okabe–Ito), then more for circles with more territories.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
INK, GRID = "#222222", "#DDDDDD"


# Pillow's built-in font covers ASCII only: French accents and Ewe letters (ɖ ɛ ƒ ɣ ŋ ɔ ʋ) would be boxes.
# DejaVu Sans and Noto Sans cover them; Debian/Ubuntu ship them as fonts-dejavu-core / fonts-noto-core.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
)


def _font(size: int):
    from PIL import ImageFont

    for path in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size)  # a scalable font when Pillow has FreeType (its wheels do)
    except (TypeError, OSError):
        return ImageFont.load_default()


def _text(draw, xy: tuple[float, float], text: str, font, anchor: str) -> None:
    try:
        draw.text(xy, text, fill=INK, font=font, anchor=anchor)
    except ValueError:  # the bitmap fallback font only knows the top-left anchor
        draw.text(xy, text, fill=INK, font=font)


def render_png(report: CircleReport, title: str, territory_names: dict[str, str], week_labels: Sequence[str],
               opened_label: str) -> bytes:
    """Grouped bars of replies per week, one colour per territory; the opener's colour marks each week."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    codes = [t.territory for t in report.territories]
    colours = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(codes)}
    largest = max([count for week in report.weeks for count in week.replies.values()] + [1])
    plot_w, plot_h = WIDTH - MARGIN_LEFT - MARGIN_RIGHT, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    base_y = MARGIN_TOP + plot_h
    _text(draw, (MARGIN_LEFT, 20), title, _font(22), "la")
    small = _font(14)
    for step in range(0, largest + 1, max(1, largest // 5)):
        y = base_y - plot_h * step / largest
        draw.line((MARGIN_LEFT, y, WIDTH - MARGIN_RIGHT, y), fill=GRID)
        _text(draw, (MARGIN_LEFT - 10, y), str(step), small, "rm")
    slot = plot_w / max(len(report.weeks), 1)
    bar_w = slot * 0.7 / max(len(codes), 1)
    for index, week in enumerate(report.weeks):
        left = MARGIN_LEFT + index * slot + slot * 0.15
        for offset, code in enumerate(codes):
            count = week.replies.get(code, 0)
            x0 = left + offset * bar_w
            if count:
                draw.rectangle((x0, base_y - plot_h * count / largest, x0 + bar_w - 2, base_y), fill=colours[code])
        centre = MARGIN_LEFT + index * slot + slot / 2
        _text(draw, (centre, base_y + 8), week_labels[index], small, "ma")
        if week.opener in colours:
            draw.ellipse((centre - 6, base_y + 30, centre + 6, base_y + 42), fill=colours[week.opener])
    draw.line((MARGIN_LEFT, base_y, WIDTH - MARGIN_RIGHT, base_y), fill=INK, width=2)
    legend_y = HEIGHT - 40
    x = MARGIN_LEFT
    for code in codes:
        draw.rectangle((x, legend_y, x + 16, legend_y + 16), fill=colours[code])
        label = territory_names.get(code, code)
        _text(draw, (x + 22, legend_y + 8), label, small, "lm")
        x += 40 + int(draw.textlength(label, font=small))
    draw.ellipse((x, legend_y + 2, x + 12, legend_y + 14), outline=INK)
    _text(draw, (x + 18, legend_y + 8), opened_label, small, "lm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
