// The offline API reference: /openapi.json rendered as a list of operations (no CDN, no build step).
"use strict";
(async () => {
  const root = document.getElementById("ops");
  const spec = await (await fetch("/openapi.json")).json();
  root.textContent = "";
  const node = (tag, text, cls) => { const n = document.createElement(tag); if (text) n.textContent = text; if (cls) n.className = cls; return n; };
  const groups = new Map();
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || path.split("/").slice(0, 3).join("/");
      if (!groups.has(tag)) groups.set(tag, []);
      groups.get(tag).push([method, path, op]);
    }
  }
  for (const [tag, ops] of groups) {
    root.append(node("h2", tag));
    for (const [method, path, op] of ops) {
      const box = node("details", null, "op");
      const head = node("summary");
      head.append(node("span", method, "m " + method), node("code", path), document.createTextNode("  " + (op.summary || "")));
      const body = node("div");
      if (op.description) body.append(node("p", op.description));
      if (op.parameters && op.parameters.length) {
        const table = node("table");
        table.append(Object.assign(node("tr"), {innerHTML: "<th>参数 parameter</th><th>in</th><th>schema</th><th></th>"}));
        for (const p of op.parameters) {
          const row = node("tr");
          row.append(node("td", p.name + (p.required ? " *" : "")), node("td", p.in),
            node("td", JSON.stringify(p.schema)), node("td", p.description || ""));
          table.append(row);
        }
        body.append(table);
      }
      body.append(node("p", "responses: " + Object.keys(op.responses || {}).join(", ")));
      box.append(head, body);
      root.append(box);
    }
  }
  if (spec.components) {
    const schemas = node("details", null, "op");
    schemas.append(node("summary", "schemas"), node("pre", JSON.stringify(spec.components.schemas, null, 1)));
    root.append(node("h2", "schemas"), schemas);
  }
})();
