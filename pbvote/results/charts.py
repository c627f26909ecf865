"""Plotly figures for a budget's results, built from the stored report as plain JSON-ready dicts.

Built on the page view from the run's stored JSON (no counting); pbvote/static/js/results.js draws them with
the vendored plotly.js. Labels and numbers are formatted here so the charts read like the page around them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import gettext as _

WON = "#1d6b3a"
NOT_CHOSEN = "#7b8594"
COST = "#0b5a8a"
LEFT = "#d5dae0"
INK = "#1b1f24"
FONT = {"family": 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif', "size": 14, "color": INK}
Money = Callable[[int], str]


def base_layout(separators: str, **extra: Any) -> dict[str, Any]:
    """What every chart shares: the site's font, the locale's separators, room for a top legend."""
    layout: dict[str, Any] = {
        "font": FONT,
        "separators": separators,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 64, "r": 24, "t": 40, "b": 56},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "hoverlabel": {"font": {"size": 14}},
        "modebar": {"color": "#4a5361", "activecolor": "#0b5a8a", "bgcolor": "rgba(255, 255, 255, 0.9)"},
    }
    layout.update(extra)
    return layout


def marker(colour: str, pattern: str) -> dict[str, Any]:
    """A bar's fill; a pattern on top tells the series apart without colour."""
    if not pattern:
        return {"color": colour}
    return {
        "color": colour,
        "pattern": {"shape": pattern, "fgcolor": "#ffffff", "fillmode": "overlay", "solidity": 0.25},
    }


def separators_for(locale: str) -> str:
    """Plotly's decimal and thousands marks: '1.204,5' in Danish, '1,204.5' in English."""
    return ",." if locale.startswith("da") else ".,"


def votes_chart(
    rows: Sequence[Any], funding_line: int | None, *, points: bool, minor: int, separators: str
) -> dict[str, Any]:
    """Votes (or points) per project in table order, winners apart from the rest, cost on a second axis."""
    score_name = _("Points") if points else _("Votes")
    traces: list[dict[str, Any]] = []
    for selected, name, colour, pattern in (
        (True, _("Won"), WON, ""),
        (False, _("Not chosen"), NOT_CHOSEN, "/"),
    ):
        chosen = [row for row in rows if row.selected is selected]
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": [row.number for row in chosen],
                "y": [row.score for row in chosen],
                "customdata": [[row.name, row.score_text, row.cost_text] for row in chosen],
                "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
                "marker": marker(colour, pattern),
                "width": 0.8,  # each trace holds every other bar: without this plotly widens them
            }
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": _("Cost"),
            "x": [row.number for row in rows],
            "y": [row.cost / minor for row in rows],
            "yaxis": "y2",
            "customdata": [[row.name, row.cost_text] for row in rows],
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            "marker": {
                "color": COST,
                "size": 9,
                "symbol": "diamond",
                "line": {"color": "#ffffff", "width": 1},
            },
        }
    )
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if funding_line is not None and 0 < funding_line < len(rows):
        where = funding_line + 0.5  # between the last row above the line and the first below it
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": where,
                "x1": where,
                "y0": 0,
                "y1": 1,
                "line": {"color": INK, "width": 2, "dash": "dash"},
            }
        )
        annotations.append(
            {
                "x": where,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "text": _("Funding line"),
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "top",
                "bgcolor": "#ffffff",
                "font": {"size": 13},
            }
        )
    layout = base_layout(
        separators,
        barmode="overlay",
        height=420,
        xaxis={
            "title": {"text": _("Projects in the order of the table")},
            "tickformat": "d",
            "range": [0.4, len(rows) + 0.6],
            **({"dtick": 1} if len(rows) <= 20 else {"nticks": 20}),
        },
        yaxis={"title": {"text": score_name}, "rangemode": "tozero", "gridcolor": "#e6e9ed"},
        yaxis2={
            "title": {"text": _("Cost")},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "tickmode": "auto",
            "tickformat": ".2~s",
        },
        shapes=shapes,
        annotations=annotations,
    )
    layout["margin"] = {"l": 64, "r": 64, "t": 40, "b": 56}
    return {"data": traces, "layout": layout}


def budget_chart(spent: int, budget: int, money: Money, *, minor: int, separators: str) -> dict[str, Any]:
    """One bar: the money the winners take and what is left of the budget."""
    left = max(budget - spent, 0)
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": [""],
            "x": [amount / minor],
            "text": [money(amount)],
            "textposition": "none",
            "hovertemplate": f"{name}: %{{text}}<extra></extra>",
            "marker": marker(colour, pattern),
        }
        for name, amount, colour, pattern in ((_("Spent"), spent, WON, ""), (_("Left"), left, LEFT, "/"))
    ]
    layout = base_layout(
        separators,
        barmode="stack",
        height=170,
        margin={"l": 16, "r": 16, "t": 40, "b": 40},
        xaxis={"range": [0, max(budget, spent, 1) / minor], "tickformat": ".2~s", "gridcolor": "#e6e9ed"},
        yaxis={"showticklabels": False},
    )
    return {"data": traces, "layout": layout}


def turnout_chart(
    by_day: Sequence[dict[str, Any]], *, separators: str, day_format: str = "%d/%m"
) -> dict[str, Any] | None:
    """Ballots per voting day, online and on paper stacked; None when no day is known."""
    if not by_day:
        return None
    dates = [str(day.get("date", "")) for day in by_day]
    traces = [
        {
            "type": "bar",
            "name": name,
            "x": dates,
            "y": [int(day.get(key, 0) or 0) for day in by_day],
            "marker": marker(colour, pattern),
            "hovertemplate": f"%{{x}}<br>{name}: %{{y:,d}}<extra></extra>",
        }
        for key, name, colour, pattern in (
            ("online", _("Online"), COST, ""),
            ("paper", _("On paper"), "#b45309", "."),
        )
    ]
    layout = base_layout(
        separators,
        barmode="stack",
        height=320,
        xaxis={"type": "date", "tickformat": day_format, "title": {"text": _("Voting day")}},
        yaxis={
            "title": {"text": _("Ballots")},
            "rangemode": "tozero",
            "gridcolor": "#e6e9ed",
            "tickformat": ",d",
        },
    )
    return {"data": traces, "layout": layout}


def toolbar_words() -> dict[str, str]:
    """The chart toolbar's words in the reader's language (plotly.js's own English as the keys)."""
    return {
        "Download plot as a PNG": _("Download the chart as a PNG picture"),
        "Preparing image - this may take a few seconds": _("Preparing the picture…"),
        "Image download succeeded": _("The picture has been downloaded"),
        "Sorry, there was a problem downloading your image!": _(
            "Sorry, the picture could not be downloaded."
        ),
    }
