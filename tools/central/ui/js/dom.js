// DOM building without HTML strings. Everything the server sends (and every agent field in
// it) goes into the page through text nodes or property assignment only: no API that parses
// HTML or code from a string, no inline event attributes. tools/central/tests/ui_sinks.sh
// (ctest central_console_sinks) fails when one shows up in this folder.

// h('div', {class: 'x', on: {click: fn}}, 'text', child, [more]) -> Element
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'on') {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'href') {
      el.setAttribute('href', safeHref(value));
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key in el && typeof el[key] !== 'function' && !key.startsWith('on')) {
      el[key] = value;
    } else if (!key.startsWith('on')) {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// Only in-console links (#/...) and the API's own downloads: an agent-chosen script or
// remote URL never becomes a link target.
export function safeHref(value) {
  const v = String(value);
  if (v.startsWith('#/') || v.startsWith('/api/v1/')) return v;
  return '#/';
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// A table: columns = [{title, cell: row => Node|string}]
export function table(columns, rows, {empty = 'Nothing to show.', rowClass} = {}) {
  if (!rows.length) return h('p', {class: 'empty'}, empty);
  return h('table', {class: 'grid'},
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {}, c.title)))),
    h('tbody', {}, rows.map(r => h('tr', {class: rowClass ? rowClass(r) : ''},
      columns.map(c => h('td', {}, c.cell(r)))))));
}

export function field(label, input) {
  return h('label', {class: 'field'}, h('span', {}, label), input);
}
