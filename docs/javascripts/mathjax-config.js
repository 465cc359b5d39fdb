// MathJax 3, served from this site (assets/mathjax), typesets what arithmatex marks
// and the markdown cells of rendered notebooks.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // Skip the whole page (every Material element has an "md-" class) except maths marked
    // by arithmatex and the markdown cells of notebooks. (The usual ".*|" would also match
    // class-less elements such as a notebook's <p>, and skip them.)
    ignoreHtmlClass: "md-[a-z0-9_-]+",
    processHtmlClass: "arithmatex|jp-RenderedMarkdown",
    // Keep the context menu from offering speech, which would load extra components.
    menuOptions: { settings: { assistiveMml: false } },
  },
};

if (typeof document$ !== "undefined") {
  document$.subscribe(() => {
    if (window.MathJax && MathJax.typesetPromise) {
      MathJax.typesetClear();
      MathJax.texReset();
      MathJax.typesetPromise();
    }
  });
}
