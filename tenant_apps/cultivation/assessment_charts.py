"""The result's radar chart, computed here and drawn twice from the same geometry: as inline SVG on the result page
(no JavaScript, no chart library, nothing fetched; presentation attributes only, which the CSP allows) and as
ReportLab shapes in the PDF. One axis per section, starting at the top and going clockwise; a section's point is
its score over its weight, so a section weighted 35 and one weighted 20 are compared by how complete they are."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

RINGS = (0.25, 0.5, 0.75, 1.0)
WIDTH, HEIGHT, RADIUS = 420, 320, 110
FILL, STROKE, GRID, TEXT = "#2f6fed", "#1d4ed8", "#cbd5e1", "#334155"
PDF_FILL = "#cbdbfb"


@dataclass(frozen=True)
class Axis:
    label: str
    score: str
    maximum: str
    ratio: float  # 0–1


def axes(section_scores: list[dict]) -> list[Axis]:
    """The stored section scores (`[{"name", "score", "max"}]`) as axes; a malformed entry counts as 0."""
    result = []
    for section in section_scores or []:
        try:
            score, maximum = Decimal(str(section.get("score"))), Decimal(str(section.get("max")))
            ratio = float(score / maximum) if maximum > 0 else 0.0
        except (InvalidOperation, TypeError, ZeroDivisionError):
            score, maximum, ratio = Decimal(0), Decimal(0), 0.0
        result.append(Axis(str(section.get("name", "")), str(score), str(maximum), min(max(ratio, 0.0), 1.0)))
    return result


def point(index: int, count: int, ratio: float, *, cx: float, cy: float, radius: float, y_up: bool = False):
    """Where axis `index` of `count` reaches `ratio` (0 at the centre, 1 at the rim); SVG's y grows downwards,
    the PDF's upwards (`y_up`)."""
    angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
    x, y = cx + radius * ratio * math.cos(angle), radius * ratio * math.sin(angle)
    return round(x, 1), round(cy - y if y_up else cy + y, 1)


def _points(count, ratio_of, **geometry) -> str:
    return " ".join(f"{x},{y}" for x, y in (point(i, count, ratio_of(i), **geometry) for i in range(count)))


def radar_svg(section_scores: list[dict], *, title: str) -> SafeString:
    """The chart as an `<svg>` element (escaped labels: section names come from a loaded file)."""
    items = axes(section_scores)
    count = len(items)
    geometry = {"cx": WIDTH / 2, "cy": HEIGHT / 2, "radius": RADIUS}
    rings = format_html_join(
        "",
        '<polygon points="{}" fill="none" stroke="{}" stroke-width="1"/>',
        ((_points(count, lambda _i, r=ring: r, **geometry), GRID) for ring in RINGS),
    )
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        ((geometry["cx"], geometry["cy"], *point(i, count, 1, **geometry), GRID) for i in range(count)),
    )
    labels = format_html_join("", "{}", ((_label(i, count, item, geometry),) for i, item in enumerate(items)))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}：{}/{}</title></circle>',
        ((*point(i, count, item.ratio, **geometry), STROKE, item.label, item.score, item.maximum) for i, item in
         enumerate(items)),
    )  # fmt: skip
    shape = _points(count, lambda i: items[i].ratio, **geometry)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{title}" class="radar-chart" id="assessment-radar"><title>{title}</title>{rings}{spokes}'
        '<polygon points="{shape}" fill="{fill}" fill-opacity="0.25" stroke="{stroke}" stroke-width="2" '
        'data-radar="scores"/>{dots}{labels}</svg>',
        w=WIDTH,
        h=HEIGHT,
        title=title,
        rings=rings,
        spokes=spokes,
        shape=shape,
        fill=FILL,
        stroke=STROKE,
        dots=dots,
        labels=labels,
    )


def _anchor(x: float, cx: float) -> str:
    return "middle" if abs(x - cx) < 1 else ("start" if x > cx else "end")


def _label(index: int, count: int, item: Axis, geometry: dict) -> SafeString:
    x, y = point(index, count, 1.18, **geometry)
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-size="13" fill="{}">{}<tspan x="{}" dy="16" fill="{}">{}/{}</tspan>'
        "</text>",
        x,
        y - 4,
        _anchor(x, geometry["cx"]),
        TEXT,
        item.label,
        x,
        STROKE,
        item.score,
        item.maximum,
    )


def radar_drawing(section_scores: list[dict], *, font: str, size: float = 220):
    """The chart as a ReportLab Drawing (a flowable) for the PDF, labels in the embedded Chinese font."""
    from reportlab.graphics.shapes import Drawing, Line, Polygon, String
    from reportlab.lib import colors

    items = axes(section_scores)
    count = len(items)
    width, height = size * 1.9, size * 1.25
    geometry = {"cx": width / 2, "cy": height / 2, "radius": size * 0.36, "y_up": True}
    drawing = Drawing(width, height)

    def flat(ratio_of):
        return [c for i in range(count) for c in point(i, count, ratio_of(i), **geometry)]

    for ring in RINGS:
        drawing.add(Polygon(flat(lambda _i, r=ring: r), fillColor=None, strokeColor=colors.HexColor(GRID)))
    for i in range(count):
        drawing.add(
            Line(geometry["cx"], geometry["cy"], *point(i, count, 1, **geometry), strokeColor=colors.HexColor(GRID))
        )
    drawing.add(
        Polygon(
            flat(lambda i: items[i].ratio),
            fillColor=colors.HexColor(PDF_FILL),  # the page's 25% blue over white, without transparency
            strokeColor=colors.HexColor(STROKE),
            strokeWidth=1.5,
        )
    )
    for i, item in enumerate(items):
        x, y = point(i, count, 1.2, **geometry)
        anchor = _anchor(x, geometry["cx"])
        drawing.add(String(x, y + 2, item.label, fontName=font, fontSize=9, textAnchor=anchor))
        drawing.add(String(x, y - 9, f"{item.score}/{item.maximum}", fontName=font, fontSize=8, textAnchor=anchor))
    return drawing
