"""The look of the figures drawn when the site is built, in one place.

``hooks/figures.py`` and ``hooks/measure.py`` apply `STYLE` (each with an ``svg.hashsalt`` of
its own) and draw with these colours; ``tools/course_notebook.py`` copies the assignments a
figure needs into the course notebook's cell that draws it. So this file holds plain
assignments of literals, and nothing else that runs.

This is not a hook (mkdocs.yml does not list it): the hooks load it from beside themselves.
"""

# Mid-tone colours, legible on Material's light (white) and dark (slate) backgrounds:
# the figures are embedded as <img>, so they cannot follow the page's text colour.
INK = "#8a8a8a"
BLUE, GREY, ORANGE, RED, GREEN = "#42a5f5", "#8d9a9d", "#ff7043", "#e53935", "#66bb6a"

# On the site each figure is drawn twice, its text and axes in a grey that reads at 4.5:1
# or better on the palette's background: one for the light palette (white), one for the
# dark one (slate). Material shows the one that fits (#only-light, #only-dark).
INK_ON_LIGHT = "#595959"
INK_ON_DARK = "#b0b0b0"

# matplotlib rc settings, applied with ``plt.rc_context`` around the drawing.
STYLE = {
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "font.size": 11,
    # transparent, so that a notebook's figures sit on the page's own background
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.facecolor": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
