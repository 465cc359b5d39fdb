// Interactive figures, drawn in the browser from numbers computed when the site was built.
// hooks/interactive.py runs a page's code and embeds the figure's data as JSON at the start
// of its container, <div class="interactive" data-interactive="NAME">. This script only
// looks the numbers up and draws them as inline SVG: it computes nothing the page's code
// does not, and loads nothing. Without JavaScript, or without data (as in the course
// notebook), the container keeps its own text.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  let figureCount = 0;

  function svgElement(name, attributes = {}, text = null) {
    const element = document.createElementNS(SVG_NS, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    if (text !== null) element.textContent = text;
    return element;
  }

  function htmlElement(name, attributes = {}, children = []) {
    const element = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === "html") element.innerHTML = value; // only our own fixed markup
      else element.setAttribute(key, value);
    }
    element.append(...children);
    return element;
  }

  // Text with a subscript or superscript: "x" and "1" give x₁.
  function indexed(attributes, base, index, shift = 4) {
    const text = svgElement("text", attributes, base);
    text.append(svgElement("tspan", { dy: shift, class: "interactive__index" }, index));
    return text;
  }

  function arrow(x1, y1, x2, y2, className) {
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const size = 8;
    const corner = (turn) =>
      `${x2 - size * Math.cos(angle + turn)},${y2 - size * Math.sin(angle + turn)}`;
    const group = svgElement("g", { class: className });
    group.append(
      svgElement("line", {
        x1,
        y1,
        x2: x2 - size * 0.8 * Math.cos(angle),
        y2: y2 - size * 0.8 * Math.sin(angle),
      }),
      svgElement("polygon", { points: `${x2},${y2} ${corner(0.45)} ${corner(-0.45)}` }),
    );
    return group;
  }

  function pathThrough(points) {
    return points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
  }

  // A set of radio buttons: the browser makes them keyboard-usable (arrow keys).
  function radioGroup(legend, name, options, checked, onChange) {
    const fieldset = htmlElement("fieldset", { class: "interactive__choice" }, [
      htmlElement("legend", {}, [legend]),
    ]);
    for (const [value, label] of options) {
      const input = htmlElement("input", { type: "radio", name, value });
      input.checked = value === checked;
      input.addEventListener("change", () => input.checked && onChange(value));
      fieldset.append(htmlElement("label", {}, [input, ` ${label}`]));
    }
    return fieldset;
  }

  // Redraw when the figure's width changes (phone rotated, window resized).
  function onWidthChange(box, draw) {
    let width = box.clientWidth;
    if (typeof ResizeObserver === "undefined") return;
    new ResizeObserver(() => {
      if (box.clientWidth !== width) {
        width = box.clientWidth;
        draw();
      }
    }).observe(box);
  }

  // ------------------------------------------------------------ the gradient explorer

  const ACTIVATION_NAMES = { tanh: "tanh", linear: "linear", relu: "ReLU" };

  function strengthLabel(key) {
    const value = Number(key);
    return value === 1 ? `as in the table (${key})` : `${Math.round(1 / value)}× weaker (${key})`;
  }

  function gradientExplorer(root, data) {
    const id = `interactive-${++figureCount}`;
    const distance = (i, value) => Math.abs(data.radii[i] - value);
    const closest = (value) =>
      data.radii.reduce((best, _, i) => (distance(i, value) < distance(best, value) ? i : best), 0);
    const state = {
      radius: closest(data.default.radius),
      activation: data.default.activation,
      strength: data.default.strength,
    };

    const slider = htmlElement("input", {
      type: "range",
      id: `${id}-radius`,
      min: 0,
      max: data.radii.length - 1,
      step: 1,
      value: state.radius,
    });
    const shown = htmlElement("output", { for: slider.id, class: "interactive__value" });
    const activations = radioGroup(
      "Activation",
      `${id}-activation`,
      data.activations.map((name) => [name, ACTIVATION_NAMES[name] ?? name]),
      state.activation,
      (value) => update({ activation: value }),
    );
    const strengths = radioGroup(
      "Inputs",
      `${id}-strength`,
      data.strengths.map((key) => [key, strengthLabel(key)]),
      state.strength,
      (value) => update({ strength: value }),
    );
    const plot = htmlElement("div", { class: "interactive__plot" });
    const legend = htmlElement("p", {
      class: "interactive__legend",
      html:
        '<span class="interactive__swatch"></span>' +
        "measured ‖∂h<sub>T</sub>/∂h<sub>t</sub>‖ " +
        '<span class="interactive__swatch interactive__swatch--rule"></span>' +
        "radius<sup>T−t</sup>, the rule of a linear RNN",
    });
    const readout = htmlElement("div", { class: "interactive__readout", "aria-live": "polite" });
    root.append(
      htmlElement("div", { class: "interactive__controls" }, [
        htmlElement("div", { class: "interactive__slider" }, [
          htmlElement("label", { for: slider.id }, ["Spectral radius of R: ", shown]),
          slider,
        ]),
        activations,
        strengths,
      ]),
      plot,
      legend,
      readout,
    );
    slider.addEventListener("input", () => update({ radius: Number(slider.value) }));

    function current() {
      const byStrength = data.curves[state.activation];
      const same = !(state.strength in byStrength);
      return { curve: (same ? byStrength.any : byStrength[state.strength])[state.radius], same };
    }

    function draw() {
      const { curve } = current();
      const radius = data.radii[state.radius];
      const name = ACTIVATION_NAMES[state.activation];
      const last = data.readout.length - 1;
      const label =
        `${name}, spectral radius ${radius.toFixed(2)}, inputs at strength ${state.strength}: ` +
        `the norm is ${curve.at[0]} at distance ${data.readout[0]} and ` +
        `${curve.at[last]} at distance ${data.readout[last]}, ` +
        `${curve.per_step} per step over the last half.`;
      plot.replaceChildren(gradientPlot(plot.clientWidth, data, curve, radius, label, id));
    }

    function update(change) {
      Object.assign(state, change);
      const radius = data.radii[state.radius].toFixed(2);
      shown.textContent = radius;
      slider.setAttribute("aria-valuetext", radius);
      draw();
      const { curve, same } = current();
      const items = data.readout.map((d, i) => [`d = ${d}`, curve.at[i]]);
      items.push(["per step", curve.per_step]);
      readout.innerHTML =
        `<p class="interactive__caption">‖∂h<sub>T</sub>/∂h<sub>T−d</sub>‖ for ` +
        `${ACTIVATION_NAMES[state.activation]}, radius ${radius}, inputs ` +
        `${strengthLabel(state.strength)}:</p><dl>` +
        items.map(([name, value]) => `<div><dt>${name}</dt><dd>${value}</dd></div>`).join("") +
        "</dl>" +
        (same
          ? "<p>The strength of the inputs changes nothing here: " +
            `${ACTIVATION_NAMES[state.activation]} units scale with their inputs, ` +
            "and their slopes stay the same.</p>"
          : "");
    }

    update({});
    onWidthChange(plot, draw);
  }

  // The norms on a log axis against the distance T - t, with the rule radius^(T - t).
  function gradientPlot(boxWidth, data, curve, radius, label, id) {
    const width = Math.max(260, Math.round(boxWidth || 640));
    const height = Math.round(Math.min(360, Math.max(240, width * 0.5)));
    const margin = { left: 60, right: 12, top: 12, bottom: 42 };
    const [low, high] = data.log10_range;
    const x = (d) => margin.left + (d / data.steps) * (width - margin.left - margin.right);
    const plotHeight = height - margin.top - margin.bottom;
    const y = (v) => margin.top + ((high - v) / (high - low)) * plotHeight;
    const svg = svgElement("svg", {
      class: "interactive__svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": label,
    });
    const clip = `${id}-clip`;
    const region = svgElement("clipPath", { id: clip });
    region.append(
      svgElement("rect", {
        x: margin.left,
        y: margin.top,
        width: width - margin.left - margin.right,
        height: height - margin.top - margin.bottom,
      }),
    );
    svg.append(region);

    const perLabel = plotHeight / ((high - low) / 10) < 22 ? 20 : 10; // decades per label
    for (let v = low; v <= high; v += 10) {
      svg.append(
        svgElement("line", {
          class: v === 0 ? "interactive__one" : "interactive__grid",
          x1: margin.left,
          x2: width - margin.right,
          y1: y(v),
          y2: y(v),
        }),
      );
      if (v % perLabel === 0) {
        const at = { x: margin.left - 6, y: y(v) + 4, "text-anchor": "end" };
        const power = String(v).replace("-", "−");
        svg.append(v === 0 ? svgElement("text", at, "1") : indexed(at, "10", power, -6));
      }
    }
    for (let d = 0; d <= data.steps; d += 25) {
      const bottom = height - margin.bottom;
      svg.append(
        svgElement("line", {
          class: "interactive__axis",
          x1: x(d),
          x2: x(d),
          y1: bottom,
          y2: bottom + 5,
        }),
        svgElement("text", { x: x(d), y: bottom + 18, "text-anchor": "middle" }, String(d)),
      );
    }
    svg.append(
      svgElement("line", {
        class: "interactive__axis",
        x1: margin.left,
        x2: width - margin.right,
        y1: height - margin.bottom,
        y2: height - margin.bottom,
      }),
      svgElement("line", {
        class: "interactive__axis",
        x1: margin.left,
        x2: margin.left,
        y1: margin.top,
        y2: height - margin.bottom,
      }),
      svgElement(
        "text",
        { x: (margin.left + width - margin.right) / 2, y: height - 6, "text-anchor": "middle" },
        "distance T − t (steps)",
      ),
      svgElement(
        "text",
        {
          x: 0,
          y: 0,
          "text-anchor": "middle",
          transform: `translate(14 ${(margin.top + height - margin.bottom) / 2}) rotate(-90)`,
        },
        "norm (log scale)",
      ),
    );

    const distances = curve.log10.map((_, i) => i + 1);
    const rule = distances.map((d) => [x(d), y(d * Math.log10(radius))]);
    const measured = curve.log10.map((v, i) => [x(i + 1), y(v)]);
    const clipped = `url(#${clip})`;
    svg.append(
      svgElement("path", {
        class: "interactive__rule",
        d: pathThrough(rule),
        "clip-path": clipped,
      }),
      svgElement("path", {
        class: "interactive__curve",
        d: pathThrough(measured),
        "clip-path": clipped,
      }),
    );
    return svg;
  }

  // ------------------------------------------------------------ the three steps by hand

  const STEP_ROWS = [
    ["x", (t) => `input x<sub>${t}</sub>`],
    ["previous", (t) => `previous state s<sub>${t - 1}</sub>`],
    ["input_part", (t) => `U x<sub>${t}</sub>`],
    ["memory_part", (t) => `W s<sub>${t - 1}</sub>`],
    ["sum", (t) => `sum U x<sub>${t}</sub> + W s<sub>${t - 1}</sub>`],
    ["state", (t) => `new state s<sub>${t}</sub> = tanh(sum)`],
    ["output", (t) => `output o<sub>${t}</sub> = V s<sub>${t}</sub>`],
  ];

  function rnnSteps(root, data) {
    const count = data.steps.length;
    let step = 1;
    const button = (text) =>
      htmlElement("button", { type: "button", class: "interactive__button" }, [text]);
    const previous = button("◀ Previous step");
    const next = button("Next step ▶");
    const status = htmlElement("output", { class: "interactive__status", "aria-live": "polite" });
    const diagram = htmlElement("div", { class: "interactive__plot" });
    const table = htmlElement("table", { class: "interactive__numbers" });
    root.append(
      htmlElement("div", { class: "interactive__controls interactive__buttons" }, [
        previous,
        next,
        status,
      ]),
      diagram,
      table,
    );
    previous.addEventListener("click", () => show(step - 1));
    next.addEventListener("click", () => show(step + 1));

    function draw() {
      diagram.replaceChildren(unrolled(diagram.clientWidth, count, step));
    }

    function show(t) {
      step = Math.min(count, Math.max(1, t));
      status.textContent = `Step ${step} of ${count}`;
      const focused = document.activeElement;
      previous.disabled = step === 1;
      next.disabled = step === count;
      if (focused === previous && previous.disabled) next.focus();
      if (focused === next && next.disabled) previous.focus();
      draw();
      const numbers = data.steps[step - 1];
      table.innerHTML =
        `<caption>Step ${step}: s<sub>${step}</sub> = tanh(U x<sub>${step}</sub> + ` +
        `W s<sub>${step - 1}</sub>)</caption><tbody>` +
        STEP_ROWS.map(
          ([key, label]) =>
            `<tr class="interactive__row--${key}"><th scope="row">${label(step)}</th>` +
            `<td>[${numbers[key].join(", ")}]</td></tr>`,
        ).join("") +
        "</tbody>";
    }

    show(1);
    onWidthChange(diagram, draw);
  }

  // The network unrolled over the steps, the current one highlighted.
  function unrolled(boxWidth, count, step) {
    const width = Math.max(260, Math.round(boxWidth || 600));
    const height = 200;
    const left = 64;
    const gap = (width - left - 8) / count;
    const boxW = Math.min(96, gap * 0.55);
    const boxH = 44;
    const middle = 100;
    const cx = (k) => left + gap * (k - 0.5);
    const svg = svgElement("svg", {
      class: "interactive__svg",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label":
        `The network unrolled over ${count} steps, step ${step} highlighted: the state ` +
        `s${step - 1} and the input x${step} go in, the state s${step} and the output ` +
        `o${step} come out.`,
    });
    svg.append(indexed({ x: 8, y: middle + 5 }, "s", "0"));
    svg.append(svgElement("text", { x: 8, y: middle + 26, class: "interactive__note" }, "= 0"));
    for (let k = 1; k <= count; k++) {
      const when = k < step ? "is-done" : k === step ? "is-current" : "is-future";
      const group = svgElement("g", { class: `interactive__step ${when}`, "data-step": k });
      const from = k === 1 ? 30 : cx(k - 1) + boxW / 2;
      group.append(
        arrow(from, middle, cx(k) - boxW / 2, middle, "interactive__state"),
        arrow(cx(k), height - 30, cx(k), middle + boxH / 2, "interactive__wire"),
        arrow(cx(k), middle - boxH / 2, cx(k), 34, "interactive__wire"),
        svgElement("rect", {
          class: "interactive__cell",
          x: cx(k) - boxW / 2,
          y: middle - boxH / 2,
          width: boxW,
          height: boxH,
          rx: 8,
        }),
        svgElement("text", { x: cx(k), y: middle + 5, "text-anchor": "middle" }, `step ${k}`),
        indexed({ x: cx(k), y: height - 10, "text-anchor": "middle" }, "x", String(k)),
        indexed({ x: cx(k), y: 22, "text-anchor": "middle" }, "o", String(k)),
      );
      if (k > 1) {
        const at = { x: (from + cx(k) - boxW / 2) / 2, y: middle - 8, "text-anchor": "middle" };
        group.append(indexed(at, "s", String(k - 1)));
      }
      svg.append(group);
    }
    return svg;
  }

  // ------------------------------------------------------------ start

  const FIGURES = { "gradient-explorer": gradientExplorer, "rnn-steps": rnnSteps };

  function start() {
    for (const root of document.querySelectorAll(".interactive[data-interactive]")) {
      const build = FIGURES[root.dataset.interactive];
      const script = root.querySelector("script.interactive-data");
      if (!build || !script || root.dataset.ready) continue;
      const data = JSON.parse(script.textContent);
      root.dataset.ready = "true";
      root.replaceChildren();
      build(root, data);
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
