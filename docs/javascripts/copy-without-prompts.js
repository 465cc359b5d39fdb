// The copy button of a doctest block (">>> " prompts) copies only the code:
// prompts ">>> " and "... " are removed and output lines are dropped, so what lands
// on the clipboard runs when pasted into a plain python prompt or a script.
// A blank line closes each multi-line statement, as the interactive prompt needs.
// Material copies the text of the nearest [data-copy] element, so we set it on <pre>.
function codeFromSession(text) {
  const code = [];
  let inStatement = false;
  let continued = false; // the current statement has "... " lines
  for (const line of text.split("\n")) {
    if (line === ">>>" || line.startsWith(">>> ")) {
      if (continued) code.push("");
      code.push(line.slice(4));
      inStatement = true;
      continued = false;
    } else if (inStatement && (line === "..." || line.startsWith("... "))) {
      code.push(line.slice(4));
      continued = true;
    } else {
      inStatement = false; // an output line, until the next prompt
    }
  }
  return code.join("\n") + "\n";
}

function stripPrompts() {
  for (const code of document.querySelectorAll(".highlight pre > code")) {
    const text = code.textContent;
    if (/^>>> /m.test(text)) {
      code.parentElement.setAttribute("data-copy", codeFromSession(text));
    }
  }
}

if (typeof document$ !== "undefined") {
  document$.subscribe(stripPrompts);
} else {
  document.addEventListener("DOMContentLoaded", stripPrompts);
}
