/* recur HTML report: the viewer. Plain JavaScript, no library, nothing fetched.
 *
 * The report is the JSON contract of `--format json` (without indentation), embedded in the script
 * elements of class recur-data. The
 * viewer draws one view at a time from it, chosen by the URL fragment:
 *   report   #overview  #clusters?size=&sim=&doc=&doc2=&q=&sort=&page=  #cluster=ID
 *   phrases  #overview  #phrases?docs=&chars=&doc=&q=&page=            #phrase=ID
 *   compare  #passages (coverage, then both texts' passages side by side)  #passage=N  #details
 *   query    #queries  #query=N?source=K&passage=P (a query, its sources, one source's passages)
 * Lists show one page at a time and a cluster or phrase shows its members a page at a time, so a
 * report of 100,000 clusters never becomes 100,000 DOM nodes. Report text is only ever put into the
 * page as text (createTextNode), never parsed as HTML.
 *
 * For tests: the html element gets data-ready="VIEW" once a view is drawn; data-errors lists every error. */
(function () {
  'use strict';
  var root = document.documentElement;
  var errors = [];
  function recordError(message) {
    errors.push(String(message));
    root.setAttribute('data-errors', errors.join('\n'));
    var box = document.getElementById('errors');
    if (!box && document.body) {
      box = document.createElement('pre');
      box.id = 'errors';
      box.className = 'errors';
      document.body.insertBefore(box, document.body.firstChild);
    }
    if (box) box.textContent = 'The viewer met an error:\n' + errors.join('\n');
  }
  window.addEventListener('error', function (e) {
    recordError((e.message || 'error') + (e.lineno ? ' (line ' + e.lineno + ')' : ''));
  });
  window.addEventListener('unhandledrejection', function (e) { recordError('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) {
    recordError('blocked by the page policy: ' + e.violatedDirective + ' ' + e.blockedURI);
  });

  var kind = root.getAttribute('data-recur') || 'report';
  var data;
  var app = document.getElementById('app');
  var tabs = document.getElementById('tabs');
  var PAGE = 50;          // list rows per page
  var MEMBER_PAGE = 40;   // members (or locations) per page in one cluster (phrase)
  var HEAT_MAX = 200;     // documents in the heat map

  // ---------------------------------------------------------------------------------------------
  // small helpers

  /** An element: h('div', {class: 'x', onclick: f}, child, 'text', [more children]). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; ++i) add(el, arguments[i]);
    return el;
  }
  // The SVG namespace as the HTML parser gives it to an <svg> element, so the page spells out no address.
  var SVG_NS = (function () { var d = document.createElement('div'); d.innerHTML = '<svg></svg>'; return d.firstChild.namespaceURI; })();
  /** An SVG element. */
  function s(tag, attrs) {
    var el = document.createElementNS(SVG_NS, tag);
    setAttrs(el, attrs);
    for (var i = 2; i < arguments.length; ++i) add(el, arguments[i]);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    for (var k in attrs) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  function add(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function num(n) { return Number(n || 0).toLocaleString('en-US'); }
  function fix(x, d) { return Number(x || 0).toFixed(d === undefined ? 2 : d); }
  function pct(x) { return (100 * (x || 0)).toFixed(1) + '%'; }
  function basename(p) { var i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')); return i >= 0 ? p.slice(i + 1) : p; }
  function chars(text) { return Array.from(text || ''); }
  function excerpt(text, n) { var c = chars(text); return c.length > n ? c.slice(0, n).join('') + '…' : c.join(''); }
  /** Content characters as recur counts them, nearly: letters, digits and CJK ideographs. */
  function contentChars(text) {
    var n = 0;
    for (var i = 0; i < text.length; ++i) {
      var c = text.charCodeAt(i);
      if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 0x3400 && c <= 0x9fff) ||
          (c >= 0xf900 && c <= 0xfaff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xff10 && c <= 0xff19) ||
          (c >= 0xff21 && c <= 0xff3a) || (c >= 0xff41 && c <= 0xff5a) || (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7) ||
          (c >= 0xd800 && c <= 0xdbff)) ++n;
    }
    return n;
  }
  function lines(m) { return m.line_end && m.line_end !== m.line ? m.line + '–' + m.line_end : String(m.line); }
  function lower(t) { return (t || '').toLowerCase(); }

  // ---------------------------------------------------------------------------------------------
  // character diff (Myers, O((n+m)·D)) on code points: which characters of a and of b are not in
  // a longest common subsequence. Paragraphs of a cluster are similar, so D stays small; past
  // kMaxD edits the middle is marked changed as a whole.

  var kMaxD = 3000;
  function diffFlags(a, b) {
    var fa = new Uint8Array(a.length), fb = new Uint8Array(b.length);
    var lo = 0;
    while (lo < a.length && lo < b.length && a[lo] === b[lo]) ++lo;
    var ea = a.length, eb = b.length;
    while (ea > lo && eb > lo && a[ea - 1] === b[eb - 1]) { --ea; --eb; }
    var n = ea - lo, m = eb - lo;
    if (n === 0 || m === 0) {
      fa.fill(1, lo, ea); fb.fill(1, lo, eb);
      return [fa, fb];
    }
    var max = n + m, off = max + 1;
    var v = new Int32Array(2 * max + 3);
    var trace = [];
    var found = -1;
    for (var d = 0; d <= Math.min(max, kMaxD) && found < 0; ++d) {
      trace.push(v.slice(off - d - 1, off + d + 2));
      for (var k = -d; k <= d; k += 2) {
        var x = (k === -d || (k !== d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
        var y = x - k;
        while (x < n && y < m && a[lo + x] === b[lo + y]) { ++x; ++y; }
        v[off + k] = x;
        if (x >= n && y >= m) { found = d; break; }
      }
    }
    if (found < 0) {  // too different to be worth it: all of the middle differs
      fa.fill(1, lo, ea); fb.fill(1, lo, eb);
      return [fa, fb];
    }
    var cx = n, cy = m;
    for (var dd = found; dd > 0; --dd) {
      var t = trace[dd], base = dd + 1;  // t[k + base] = v[k] before step dd
      var kk = cx - cy;
      var prevK = (kk === -dd || (kk !== dd && t[kk - 1 + base] < t[kk + 1 + base])) ? kk + 1 : kk - 1;
      var px = t[prevK + base], py = px - prevK;
      while (cx > px && cy > py) { --cx; --cy; }  // the diagonal after the edit
      if (cx === px) fb[lo + py] = 1;            // down: b[py] inserted
      else fa[lo + px] = 1;                      // right: a[px] deleted
      cx = px; cy = py;
    }
    return [fa, fb];
  }

  /** The characters `cs` with the flagged ones wrapped in `tag` (del or ins). */
  function marked(cs, flags, tag) {
    var out = h('span', { class: 'text diff' });
    var i = 0;
    while (i < cs.length) {
      var j = i;
      while (j < cs.length && flags[j] === flags[i]) ++j;
      var piece = cs.slice(i, j).join('');
      out.appendChild(flags[i] ? h(tag, null, piece) : document.createTextNode(piece));
      i = j;
    }
    return out;
  }

  /** The two texts side by side material: [a with deletions marked, b with insertions marked, edits]. */
  function diffPair(textA, textB) {
    var a = chars(textA), b = chars(textB);
    var f = diffFlags(a, b);
    var edits = 0;
    for (var i = 0; i < f[0].length; ++i) edits += f[0][i];
    for (var j = 0; j < f[1].length; ++j) edits += f[1][j];
    return [marked(a, f[0], 'del'), marked(b, f[1], 'ins'), edits];
  }

  /** One text: b with what it adds to a in <ins> and what it drops from a in <del>, in place. */
  function unifiedDiff(textA, textB) {
    var a = chars(textA), b = chars(textB);
    var f = diffFlags(a, b), fa = f[0], fb = f[1];
    var out = h('span', { class: 'text diff' });
    var i = 0, j = 0;
    while (i < a.length || j < b.length) {
      var tag = i < a.length && fa[i] ? 'del' : j < b.length && fb[j] ? 'ins' : '';
      var piece = '';
      if (tag === 'del') while (i < a.length && fa[i]) piece += a[i++];
      else if (tag === 'ins') while (j < b.length && fb[j]) piece += b[j++];
      else while (i < a.length && j < b.length && !fa[i] && !fb[j]) { piece += b[j++]; ++i; }
      if (!piece) break;  // cannot happen: unflagged characters pair up in order
      out.appendChild(tag ? h(tag, null, piece) : document.createTextNode(piece));
    }
    return out;
  }

  /** Text with every occurrence of the search `q` (lower case) marked. */
  function withHits(text, q) {
    if (!q) return h('span', { class: 'text' }, text);
    var out = h('span', { class: 'text' });
    var low = lower(text), i = 0;
    while (true) {
      var k = low.indexOf(q, i);
      if (k < 0 || q.length === 0) break;
      if (k > i) out.appendChild(document.createTextNode(text.slice(i, k)));
      out.appendChild(h('mark', { class: 'hit' }, text.slice(k, k + q.length)));
      i = k + q.length;
    }
    if (i < text.length) out.appendChild(document.createTextNode(text.slice(i)));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // routing: the fragment names the view and its parameters

  function parseHash() {
    var raw = location.hash.replace(/^#/, '');
    var q = raw.indexOf('?');
    var head = q >= 0 ? raw.slice(0, q) : raw;
    try { head = decodeURIComponent(head); } catch (e) { /* a malformed escape: keep the fragment as it is */ }
    var params = {};
    if (q >= 0) new URLSearchParams(raw.slice(q + 1)).forEach(function (v, k) { params[k] = v; });
    var eq = head.indexOf('=');
    if (eq >= 0) { params.id = head.slice(eq + 1); head = head.slice(0, eq); }
    return { view: head, params: params };
  }
  function hashOf(view, params) {
    var parts = [];
    var id = params && params.id;
    for (var k in params || {}) {
      if (k === 'id' || params[k] === '' || params[k] === undefined || params[k] === null) continue;
      parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(params[k]));
    }
    return '#' + view + (id !== undefined && id !== null ? '=' + id : '') + (parts.length ? '?' + parts.join('&') : '');
  }
  /** Replaces the fragment without a new history entry (filters typed into a list). */
  function replaceHash(h2) {
    if (location.hash === h2) return;
    try { history.replaceState(null, '', h2); } catch (e) { /* file pages that refuse it keep the old fragment */ }
  }
  function go(h2) { if (location.hash === h2) route(); else location.hash = h2; }

  var views = {};
  var defaultView;
  var tabList = [];
  var lastList = {};  // the list fragment last shown, per list view, for "back to the list"

  function route() {
    var r = parseHash();
    var view = views[r.view] ? r.view : defaultView;
    tabs.querySelectorAll('a').forEach(function (a) {
      a.className = a.getAttribute('data-view') === view || a.getAttribute('data-view') === (views[view].tab || '') ? 'on' : '';
    });
    root.removeAttribute('data-ready');
    app.textContent = '';
    var t0 = performance.now();
    views[view].draw(r.params);
    root.setAttribute('data-ready', view);
    root.setAttribute('data-draw-ms', String(Math.round(performance.now() - t0)));
  }

  function setTabs(list) {
    tabList = list;
    tabs.textContent = '';
    list.forEach(function (t) { tabs.appendChild(h('a', { href: '#' + t[0], 'data-view': t[0] }, t[1])); });
  }

  // ---------------------------------------------------------------------------------------------
  // shared pieces: cards, option tables, skipped files and warnings, histograms, paging

  function cards(items) {
    return h('div', { class: 'cards' }, items.map(function (it) {
      return h('div', { class: 'card', title: it[2] || '' }, h('b', null, it[0]), h('span', null, it[1]));
    }));
  }
  function kvTable(obj) {
    var t = h('table', { class: 'kv' });
    Object.keys(obj || {}).forEach(function (k) {
      var v = obj[k];
      t.appendChild(h('tr', null, h('td', null, k), h('td', null, typeof v === 'string' ? v : JSON.stringify(v))));
    });
    return t;
  }
  function listNotes(title, items, fmt) {
    if (!items || !items.length) return null;
    var shown = items.slice(0, 200);
    return h('details', { open: items.length <= 10 }, h('summary', null, title + ' (' + num(items.length) + ')'),
      h('ul', null, shown.map(function (x) { return h('li', null, fmt(x)); })),
      items.length > shown.length ? h('p', { class: 'muted' }, '… and ' + num(items.length - shown.length) + ' more') : null);
  }
  function runNotes() {
    return [
      listNotes('Skipped inputs', data.skipped, function (x) { return x.path + ': ' + x.reason + (x.code ? ' [' + x.code + ']' : ''); }),
      listNotes('Warnings', data.warnings, function (x) { return x; })];
  }
  function optionsBlock() {
    return h('details', null, h('summary', null, 'Options of this run and all counts'),
      h('div', { class: 'grid2' }, h('div', null, h('h3', null, 'Options'), kvTable(data.options)),
        h('div', null, h('h3', null, 'Counts'), kvTable(data.stats))));
  }

  /** A bar chart as inline SVG: bins = [{label, count, title}]. */
  function barChart(bins, opts) {
    var w = opts.width || 640, hgt = 170, left = 44, bottom = 34, top = 10;
    var maxc = 1;
    bins.forEach(function (b) { maxc = Math.max(maxc, b.count); });
    var bw = (w - left - 10) / Math.max(1, bins.length);
    var svg = s('svg', { width: w, height: hgt, viewBox: '0 0 ' + w + ' ' + hgt, class: 'histogram', role: 'img',
      'aria-label': opts.title });
    svg.appendChild(s('line', { class: 'axis', x1: left, y1: hgt - bottom, x2: w - 5, y2: hgt - bottom }));
    [0, 0.5, 1].forEach(function (f) {
      var y = hgt - bottom - f * (hgt - bottom - top);
      svg.appendChild(s('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, num(Math.round(f * maxc))));
    });
    bins.forEach(function (b, i) {
      var bh = b.count ? Math.max(1, (b.count / maxc) * (hgt - bottom - top)) : 0;
      var x = left + i * bw;
      var r = s('rect', { class: 'bar', x: x + 1, y: hgt - bottom - bh, width: Math.max(1, bw - 2), height: bh },
        s('title', null, (b.title || b.label) + ': ' + num(b.count)));
      if (opts.onclick) { r.style.cursor = 'pointer'; r.addEventListener('click', function () { opts.onclick(b); }); }
      svg.appendChild(r);
      if (i % (opts.labelEvery || 1) === 0)
        svg.appendChild(s('text', { x: x + bw / 2, y: hgt - bottom + 14, 'text-anchor': 'middle' }, b.label));
    });
    svg.appendChild(s('text', { x: left + (w - left) / 2, y: hgt - 4, 'text-anchor': 'middle' }, opts.xlabel || ''));
    return h('div', { class: 'chart' }, svg);
  }

  function pager(page, pages, total, what, onpage) {
    if (pages <= 1) return h('div', { class: 'pager muted' }, num(total) + ' ' + what);
    var input = h('input', { type: 'number', min: 1, max: pages, value: page + 1, style: 'width:70px' });
    input.addEventListener('change', function () {
      var p = Math.min(pages, Math.max(1, parseInt(input.value, 10) || 1));
      onpage(p - 1);
    });
    return h('div', { class: 'pager' },
      h('button', { disabled: page === 0, onclick: function () { onpage(page - 1); } }, '‹ previous'),
      h('span', null, 'page '), input, h('span', null, ' of ' + num(pages)),
      h('button', { disabled: page >= pages - 1, onclick: function () { onpage(page + 1); } }, 'next ›'),
      h('span', { class: 'muted' }, num(total) + ' ' + what));
  }

  // ---------------------------------------------------------------------------------------------
  // documents: a document is (path, document_index); its title is the --doc-split line

  var docs = [], docIndex = new Map();
  function docId(x) {
    var key = x.path + '\u0000' + (x.document_index || 0);
    var id = docIndex.get(key);
    if (id === undefined) {
      id = docs.length;
      docIndex.set(key, id);
      var title = x.document && x.document !== x.path ? x.document.trim() : '';
      docs.push({ id: id, path: x.path, index: x.document_index || 0, title: title, paragraphs: 0, chars: 0, label: '' });
    }
    return id;
  }
  /** Labels: the title when there is one, else the file name (#N for a later document of a file). */
  function labelDocs() {
    var seen = new Map();
    docs.forEach(function (d) {
      d.label = d.title || (basename(d.path) + (d.index > 1 ? '#' + d.index : ''));
      seen.set(d.label, (seen.get(d.label) || 0) + 1);
    });
    docs.forEach(function (d) { if (seen.get(d.label) > 1) d.label += ' (' + basename(d.path) + '#' + d.index + ')'; });
  }
  function docOrder() {
    return docs.slice().sort(function (x, y) {
      return x.path < y.path ? -1 : x.path > y.path ? 1 : x.index - y.index;
    });
  }
  function locLine(x, extra) {
    var d = docs[docId(x)];
    return h('div', { class: 'loc' },
      d.title ? h('span', { class: 'title' }, d.title + ' ') : null,
      h('span', null, x.path + ':' + lines(x) + (d.title ? '  · document ' + d.index : '')),
      x.kind && x.kind !== 'body' ? h('span', { class: 'chip kind' }, x.kind) : null,
      extra ? h('span', null, '  · ' + extra) : null);
  }
  var DOC_SELECT_MAX = 500;  // more documents than this: a text field instead of a list of options
  /** The document filter of a list: a choice of documents, or for many a "name contains" field. */
  function docFilter(state, update) {
    if (docs.length > DOC_SELECT_MAX) {
      var input = h('input', { type: 'search', placeholder: 'title or path contains', value: state.docq || '' });
      input.addEventListener('change', function () { update('docq', input.value); });
      return h('label', null, 'document', input);
    }
    var sel = h('select', { onchange: function () { update('doc', sel.value); } }, h('option', { value: '' }, 'all documents'));
    docOrder().forEach(function (d) {
      sel.appendChild(h('option', { value: d.id, selected: String(d.id) === String(state.doc) }, d.label));
    });
    return h('label', null, 'document', sel);
  }
  /** Which groups the document parameters (doc, doc2: ids; docq: words of a title or path) keep. */
  function docTest(p) {
    var want = [];
    ['doc', 'doc2'].forEach(function (k) { if (p[k] !== undefined && p[k] !== '') want.push(parseInt(p[k], 10)); });
    var q = lower(p.docq || '').trim(), named = null;
    if (q) {
      named = new Uint8Array(docs.length);
      docs.forEach(function (d) { if (lower(d.label + '\n' + d.path).indexOf(q) >= 0) named[d.id] = 1; });
    }
    return function (ids) {
      for (var i = 0; i < want.length; ++i) if (ids.indexOf(want[i]) < 0) return false;
      return !named || ids.some(function (d) { return named[d]; });
    };
  }
  /** Chips for documents chosen elsewhere (the heat map) that the filter row does not show. */
  function docChips(state, redraw) {
    var box = h('div', null);
    var keys = docs.length > DOC_SELECT_MAX ? ['doc', 'doc2'] : ['doc2'];
    keys.forEach(function (k) {
      var d = state[k] !== undefined && state[k] !== '' ? docs[parseInt(state[k], 10)] : null;
      if (!d) return;
      box.appendChild(h('span', { class: 'chip' }, (k === 'doc' ? 'in: ' : 'also in: ') + d.label,
        h('button', { title: 'remove', onclick: function () { delete state[k]; redraw(); } }, '×')));
    });
    return box;
  }

  /**
   * The document × document heat map of groups (clusters or phrases) whose members (members or
   * locations) lie in several documents. Cell (row r, column c): the members of document r in
   * groups that also have a member in document c, with their characters.
   */
  function docMatrix(groups, membersOf) {
    var perDoc = new Float64Array(docs.length);
    groups.forEach(function (g) { membersOf(g).forEach(function (m) { perDoc[m._doc] += 1; }); });
    var chosen = docs.filter(function (d) { return perDoc[d.id] > 0; });
    var total = chosen.length;
    if (chosen.length > HEAT_MAX) {
      chosen.sort(function (x, y) { return perDoc[y.id] - perDoc[x.id] || x.id - y.id; });
      chosen = chosen.slice(0, HEAT_MAX);
    }
    chosen.sort(function (x, y) { return x.path < y.path ? -1 : x.path > y.path ? 1 : x.index - y.index; });
    var pos = new Int32Array(docs.length).fill(-1);
    chosen.forEach(function (d, i) { pos[d.id] = i; });
    var n = chosen.length;
    var paras = new Float64Array(n * n), charsM = new Float64Array(n * n);
    groups.forEach(function (g) {
      var per = new Map();
      membersOf(g).forEach(function (m) {
        var p = pos[m._doc];
        if (p < 0) return;
        var e = per.get(p);
        if (!e) { e = [0, 0]; per.set(p, e); }
        e[0] += 1; e[1] += m._chars;
      });
      if (per.size < 2) return;
      var ks = Array.from(per.keys());
      for (var i = 0; i < ks.length; ++i)
        for (var j = 0; j < ks.length; ++j) {
          if (i === j) continue;
          var e = per.get(ks[i]);
          paras[ks[i] * n + ks[j]] += e[0];
          charsM[ks[i] * n + ks[j]] += e[1];
        }
    });
    return { docs: chosen, total: total, n: n, paras: paras, chars: charsM };
  }

  /**
   * The matrix from the report's own `documents` summary, when it has one: pairs
   * {a: {path, document, document_index, paragraphs, chars, share}, b: {...}}. Its shares are of
   * each document's body text, which the clusters alone cannot tell.
   */
  function docMatrixFromSummary() {
    var list = data.documents;
    if (!Array.isArray(list) || !list.length) return null;
    var pairs = [];
    for (var i = 0; i < list.length; ++i) {
      var e = list[i];
      if (!e || !e.a || !e.b || typeof e.a.path !== 'string' || typeof e.b.path !== 'string' ||
          typeof e.a.paragraphs !== 'number' || typeof e.b.paragraphs !== 'number') return null;
      pairs.push({ a: docId(e.a), b: docId(e.b), sa: e.a, sb: e.b });
    }
    labelDocs();
    var weight = new Float64Array(docs.length);
    pairs.forEach(function (q) { weight[q.a] += q.sa.chars || q.sa.paragraphs; weight[q.b] += q.sb.chars || q.sb.paragraphs; });
    var chosen = docs.filter(function (d) { return weight[d.id] > 0; });
    var total = chosen.length;
    if (chosen.length > HEAT_MAX) {
      chosen.sort(function (x, y) { return weight[y.id] - weight[x.id] || x.id - y.id; });
      chosen = chosen.slice(0, HEAT_MAX);
    }
    chosen.sort(function (x, y) { return x.path < y.path ? -1 : x.path > y.path ? 1 : x.index - y.index; });
    var pos = new Int32Array(docs.length).fill(-1);
    chosen.forEach(function (d, k) { pos[d.id] = k; });
    var n = chosen.length, paras = new Float64Array(n * n), charsM = new Float64Array(n * n), share = new Float64Array(n * n);
    pairs.forEach(function (q) {
      var r = pos[q.a], c = pos[q.b];
      if (r < 0 || c < 0) return;
      paras[r * n + c] = q.sa.paragraphs; charsM[r * n + c] = q.sa.chars || 0; share[r * n + c] = q.sa.share || 0;
      paras[c * n + r] = q.sb.paragraphs; charsM[c * n + r] = q.sb.chars || 0; share[c * n + r] = q.sb.share || 0;
    });
    return { docs: chosen, total: total, n: n, paras: paras, chars: charsM, share: share, fromSummary: true };
  }

  function heatMap(mx, what, onCell) {
    var n = mx.n;
    if (n < 2) return h('p', { class: 'muted' }, 'Fewer than two documents share ' + what + '.');
    var nonzero = 0;
    for (var z = 0; z < n * n; ++z) if (mx.paras[z]) ++nonzero;
    if (nonzero > 2500) return heatCanvas(mx, what, onCell);  // an SVG of that many cells would be slow
    var cell = n <= 10 ? 28 : n <= 40 ? 14 : n <= 100 ? 11 : Math.max(3, Math.floor(800 / n));
    var label = n <= 100 ? 170 : 20;
    var size = n * cell;
    var ox = label, oy = 18;
    var svg = s('svg', { width: ox + size + 10, height: oy + size + 10, class: 'heatmap', role: 'img',
      'aria-label': 'document × document reuse' });
    var max = 0;
    for (var i = 0; i < n * n; ++i) max = Math.max(max, mx.paras[i]);
    svg.appendChild(s('rect', { x: ox, y: oy, width: size, height: size, fill: '#fafbfc', stroke: '#d8dee4' }));
    for (var r = 0; r < n; ++r) {
      svg.appendChild(s('rect', { class: 'diag', x: ox + r * cell, y: oy + r * cell, width: cell, height: cell }));
      if (n <= 100) {
        svg.appendChild(s('text', { x: ox - 4, y: oy + r * cell + cell / 2 + 4, 'text-anchor': 'end' },
          excerpt(mx.docs[r].label, 14), s('title', null, mx.docs[r].label + '\n' + mx.docs[r].path)));
      }
      if (r % (n <= 40 ? 1 : n <= 100 ? 2 : 10) === 0)
        svg.appendChild(s('text', { x: ox + r * cell + cell / 2, y: oy - 4, 'text-anchor': 'middle' }, String(r + 1)));
      for (var c = 0; c < n; ++c) {
        var v = mx.paras[r * n + c];
        if (!v) continue;
        var a = 0.12 + 0.88 * Math.sqrt(v / max);
        (function (r2, c2, v2) {
          var dr = mx.docs[r2], dc = mx.docs[c2];
          var rect = s('rect', { class: 'cell', x: ox + c2 * cell, y: oy + r2 * cell, width: cell, height: cell,
            fill: 'rgba(190,40,30,' + a.toFixed(3) + ')', 'data-row': dr.id, 'data-col': dc.id },
            s('title', null, cellTitle(mx, r2, c2, what)));
          rect.addEventListener('click', function () { onCell(dr, dc); });
          svg.appendChild(rect);
        })(r, c, v);
      }
    }
    return h('div', { class: 'chart' }, svg);
  }

  function cellTitle(mx, r, c, what) {
    var dr = mx.docs[r], dc = mx.docs[c], k = r * mx.n + c;
    return dr.label + ' → ' + dc.label + '\n' + num(mx.paras[k]) + ' ' + what + ' of the first shared with the second, ' +
      num(mx.chars[k]) + ' characters' + (mx.share ? ' (' + pct(mx.share[k]) + ' of its text)' : '');
  }

  /** The heat map drawn on a canvas: one element however many cells; hover and click as in the SVG. */
  function heatCanvas(mx, what, onCell) {
    var n = mx.n;
    var cell = n <= 40 ? 14 : n <= 100 ? 11 : Math.max(3, Math.floor(800 / n));
    var ox = n <= 100 ? 170 : 20, oy = 18, size = n * cell;
    var w = ox + size + 10, hh = oy + size + 10, dpr = window.devicePixelRatio || 1;
    var canvas = h('canvas', { class: 'heatmap', width: Math.round(w * dpr), height: Math.round(hh * dpr),
      style: 'width:' + w + 'px;height:' + hh + 'px' });
    var ctx = canvas.getContext('2d');
    ctx.scale(dpr, dpr);
    ctx.fillStyle = '#fafbfc';
    ctx.fillRect(ox, oy, size, size);
    var max = 0;
    for (var i = 0; i < n * n; ++i) max = Math.max(max, mx.paras[i]);
    var first = null;
    ctx.font = '10px ' + getComputedStyle(document.body).fontFamily;
    ctx.fillStyle = '#5f6b76';
    for (var r = 0; r < n; ++r) {
      if (n <= 100) {
        ctx.textAlign = 'right';
        ctx.fillText(excerpt(mx.docs[r].label, 14), ox - 4, oy + r * cell + cell / 2 + 4);
      }
      if (r % (n <= 40 ? 1 : n <= 100 ? 2 : 10) === 0) {
        ctx.textAlign = 'center';
        ctx.fillText(String(r + 1), ox + r * cell + cell / 2, oy - 5);
      }
    }
    for (r = 0; r < n; ++r) {
      ctx.fillStyle = '#eef1f4';
      ctx.fillRect(ox + r * cell, oy + r * cell, cell, cell);
      for (var c = 0; c < n; ++c) {
        var v = mx.paras[r * n + c];
        if (!v) continue;
        ctx.fillStyle = 'rgba(190,40,30,' + (0.12 + 0.88 * Math.sqrt(v / max)).toFixed(3) + ')';
        ctx.fillRect(ox + c * cell, oy + r * cell, cell, cell);
        if (!first) first = [ox + c * cell + cell / 2, oy + r * cell + cell / 2];
      }
    }
    if (first) canvas.setAttribute('data-first-cell', first.join(','));  // for the browser tests
    var tip = h('div', { class: 'tip', style: 'display:none' });
    function at(e) {
      var b = canvas.getBoundingClientRect();
      var c2 = Math.floor((e.clientX - b.left - ox) / cell), r2 = Math.floor((e.clientY - b.top - oy) / cell);
      return r2 >= 0 && r2 < n && c2 >= 0 && c2 < n && r2 !== c2 && mx.paras[r2 * n + c2] ? [r2, c2] : null;
    }
    canvas.addEventListener('mousemove', function (e) {
      var p = at(e);
      canvas.style.cursor = p ? 'pointer' : '';
      if (!p) { tip.style.display = 'none'; return; }
      tip.textContent = cellTitle(mx, p[0], p[1], what);
      tip.style.display = 'block';
      tip.style.left = (e.offsetX + 14) + 'px';
      tip.style.top = (e.offsetY + 14) + 'px';
    });
    canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    canvas.addEventListener('click', function (e) {
      var p = at(e);
      if (p) onCell(mx.docs[p[0]], mx.docs[p[1]]);
    });
    return h('div', { class: 'chart', style: 'position:relative' }, canvas, tip);
  }

  function topPairs(mx, what, onPair) {
    var list = [];
    for (var r = 0; r < mx.n; ++r)
      for (var c = r + 1; c < mx.n; ++c) {
        var p1 = mx.paras[r * mx.n + c], p2 = mx.paras[c * mx.n + r];
        if (p1 || p2) list.push([r, c, p1, p2, mx.chars[r * mx.n + c], mx.chars[c * mx.n + r]]);
      }
    list.sort(function (x, y) { return (y[4] + y[5]) - (x[4] + x[5]) || (y[2] + y[3]) - (x[2] + x[3]); });
    if (!list.length) return null;
    var t = h('table', { class: 'pairs' }, h('tr', null, h('th', null, 'document'), h('th', null, 'document'),
      h('th', { class: 'num' }, what), h('th', { class: 'num' }, 'characters'),
      mx.share ? h('th', { class: 'num', title: 'share of each document\u2019s body text' }, 'share') : null));
    list.slice(0, 15).forEach(function (x) {
      var a = mx.docs[x[0]], b = mx.docs[x[1]];
      t.appendChild(h('tr', { class: 'link pair-row', onclick: function () { onPair(a, b); } },
        h('td', null, a.label), h('td', null, b.label),
        h('td', { class: 'num' }, num(x[2]) + ' / ' + num(x[3])), h('td', { class: 'num' }, num(x[4]) + ' / ' + num(x[5])),
        mx.share ? h('td', { class: 'num' }, pct(mx.share[x[0] * mx.n + x[1]]) + ' / ' + pct(mx.share[x[1] * mx.n + x[0]])) : null));
    });
    return t;
  }

  // =============================================================================================
  // recur report

  function setupReport() {
    var clusters = data.clusters || [];
    var byId = new Map();
    clusters.forEach(function (c, i) {
      c._pos = i;
      byId.set(String(c.id), c);
      var ds = new Set(), minSim = 1, maxSim = 0, weight = 0;
      c.members.forEach(function (m, k) {
        m._doc = docId(m);
        m._chars = typeof m.content_chars === 'number' ? m.content_chars : contentChars(m.text || '');
        ds.add(m._doc);
        docs[m._doc].paragraphs += 1;
        docs[m._doc].chars += m._chars;
        if (k !== c.representative) {
          minSim = Math.min(minSim, m.similarity);
          maxSim = Math.max(maxSim, m.similarity);
          weight += m._chars;
        }
      });
      c._docs = Array.from(ds);
      c._min = c.members.length > 1 ? minSim : 1;
      c._max = c.members.length > 1 ? maxSim : 1;
      c._weight = typeof c.weight === 'number' ? c.weight : weight;  // reused content characters
    });
    labelDocs();
    var matrix = null;
    function getMatrix() {
      if (!matrix) matrix = docMatrixFromSummary() || docMatrix(clusters, function (c) { return c.members; });
      return matrix;
    }
    var hay = null;
    function haystack(c) {
      if (!hay) hay = new Array(clusters.length);
      var v = hay[c._pos];
      if (v === undefined) {
        v = lower(c.members.map(function (m) { return m.text + '\n' + m.document + '\n' + m.path; }).join('\n'));
        hay[c._pos] = v;
      }
      return v;
    }

    setTabs([['overview', 'Overview'], ['clusters', 'Clusters (' + num(clusters.length) + ')']]);
    defaultView = 'overview';

    views.overview = { draw: function () {
      var st = data.stats || {};
      document.title = 'recur report: ' + num(clusters.length) + ' clusters, ' + num(st.documents) + ' documents';
      app.appendChild(h('h1', null, 'Reused paragraphs'));
      app.appendChild(cards([
        [num(st.files_read) + (st.files_skipped ? ' (+' + num(st.files_skipped) + ' skipped)' : ''), 'files read'],
        [num(st.documents), 'documents'],
        [num(st.paragraphs), 'paragraphs', num(st.paragraphs_indexed) + ' compared, ' + num(st.paragraphs_too_short) + ' too short'],
        [num(clusters.length), 'clusters'],
        [num(st.clustered_paragraphs), 'paragraphs in clusters'],
        [fix((data.options || {}).threshold, 2), 'similarity threshold (Jaccard)']]));
      var kinds = st.paragraphs_by_kind;
      if (kinds && typeof kinds === 'object') {
        app.appendChild(h('p', { class: 'muted small' }, 'Paragraphs by kind: ' + Object.keys(kinds).map(function (k) {
          return k + ' ' + num(kinds[k]);
        }).join(', ') + ((data.options || {}).structure === 'body' ? ' (only body paragraphs are clustered: --structure keep clusters all)' : '') +
          (data.options && data.options.cross_doc ? '. Only clusters across documents (--cross-doc).' : '')));
      }
      add(app, runNotes());
      add(app, optionsBlock());
      // histograms
      var lo = Math.floor(Math.min((data.options || {}).threshold || 0.5, 1) * 20) / 20;
      clusters.forEach(function (c) { if (c._min < lo) lo = Math.floor(c._min * 20) / 20; });
      var nb = Math.max(1, Math.round((1 - lo) / 0.025));
      var bins = [];
      for (var i = 0; i < nb; ++i) {
        var b0 = lo + i * (1 - lo) / nb;
        bins.push({ label: fix(b0, 2), lo: b0, count: 0, title: fix(b0, 3) + '–' + fix(b0 + (1 - lo) / nb, 3) });
      }
      clusters.forEach(function (c) {
        c.members.forEach(function (m, k) {
          if (k === c.representative) return;
          var bi = Math.min(nb - 1, Math.max(0, Math.floor((m.similarity - lo) / (1 - lo) * nb)));
          bins[bi].count += 1;
        });
      });
      var sizes = [[2, 2], [3, 3], [4, 4], [5, 5], [6, 10], [11, 20], [21, 50], [51, 1e12]].map(function (r) {
        return { label: r[0] === r[1] ? String(r[0]) : r[1] > 1e9 ? r[0] + '+' : r[0] + '–' + r[1], lo: r[0], count: 0 };
      });
      clusters.forEach(function (c) {
        for (var k = sizes.length - 1; k >= 0; --k) if (c.members.length >= sizes[k].lo) { sizes[k].count += 1; break; }
      });
      app.appendChild(h('div', { class: 'grid2' },
        h('div', null, h('h2', null, 'Similarity of members to their representative'),
          barChart(bins, { title: 'similarity histogram', xlabel: 'exact Jaccard similarity (clusters ≥ this: click a bar)',
            labelEvery: Math.ceil(nb / 10), onclick: function (b) { go(hashOf('clusters', { sim: fix(b.lo, 3) })); } })),
        h('div', null, h('h2', null, 'Cluster sizes'),
          barChart(sizes, { title: 'cluster sizes', xlabel: 'members per cluster (click: clusters at least this large)', width: 420,
            onclick: function (b) { go(hashOf('clusters', { size: b.lo })); } }))));
      // heat map
      var mx = getMatrix();
      app.appendChild(h('h2', null, 'Which documents share paragraphs'));
      app.appendChild(h('p', { class: 'muted small' },
        'Row → column: the paragraphs of the row document that are in a cluster with a paragraph of the column document ' +
        '(darker = more). Hover for counts, click to list those clusters.' +
        (mx.total > mx.n ? ' Showing the ' + mx.n + ' of ' + num(mx.total) + ' documents with the most clustered paragraphs.' : '') +
        (mx.fromSummary ? ' From the report\u2019s document summary.' : '')));
      app.appendChild(heatMap(mx, 'paragraphs', function (a, b) { go(hashOf('clusters', { doc: a.id, doc2: b.id })); }));
      var tp = topPairs(mx, 'paragraphs', function (a, b) { go(hashOf('clusters', { doc: a.id, doc2: b.id })); });
      if (tp) { app.appendChild(h('h3', null, 'Document pairs sharing the most text')); app.appendChild(tp); }
      if (mx.n >= 2) {
        app.appendChild(h('details', null, h('summary', null, 'Heat map columns: document numbers'),
          h('ol', { class: 'small' }, mx.docs.map(function (d) { return h('li', null, d.label + '  ', h('span', { class: 'muted' }, d.path)); }))));
      }
    } };

    // ----- the cluster list
    function filterClusters(p) {
      var size = parseInt(p.size, 10) || 0, sim = parseFloat(p.sim) || 0;
      var inDocs = docTest(p);
      var q = lower(p.q || '').trim();
      var out = clusters.filter(function (c) {
        if (c.members.length < size) return false;
        if (sim && c._max < sim - 1e-9) return false;
        if (!inDocs(c._docs)) return false;
        if (q && haystack(c).indexOf(q) < 0) return false;
        return true;
      });
      var sort = p.sort || '';
      var cmp = {
        size: function (a, b) { return b.members.length - a.members.length || a._pos - b._pos; },
        documents: function (a, b) { return b._docs.length - a._docs.length || a._pos - b._pos; },
        weight: function (a, b) { return b._weight - a._weight || a._pos - b._pos; },
        similarity: function (a, b) { return a._min - b._min || a._pos - b._pos; }
      }[sort];
      if (cmp) out.sort(cmp);
      return out;
    }

    views.clusters = { draw: function (p) {
      lastList.clusters = hashOf('clusters', p);
      document.title = 'recur report: clusters';
      var state = Object.assign({}, p);
      function update(key, value) {
        state[key] = value;
        if (key !== 'page') delete state.page;
        var h2 = hashOf('clusters', state);
        replaceHash(h2);
        views.clusters.draw2(state);
      }
      var search = h('input', { type: 'search', placeholder: 'words in a paragraph or title', value: state.q || '' });
      var timer = 0;
      search.addEventListener('input', function () {
        clearTimeout(timer);
        timer = setTimeout(function () { update('q', search.value); }, clusters.length > 20000 ? 350 : 120);
      });
      var filters = h('div', { class: 'filters' },
        h('label', null, 'search', search),
        h('label', null, 'at least members', h('input', { type: 'number', min: 2, step: 1, value: state.size || '',
          placeholder: '2', onchange: function (e) { update('size', e.target.value); } })),
        h('label', { title: 'clusters with a member at least this similar to the representative (exact Jaccard)' },
          'similarity ≥', h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: state.sim || '', placeholder: fix((data.options || {}).threshold, 2),
            onchange: function (e) { update('sim', e.target.value); } })),
        docFilter(state, update),
        h('label', null, 'order', (function () {
          var sel = h('select', { onchange: function () { update('sort', sel.value); } });
          [['', 'report order (' + ((data.options || {}).sort || 'size') + ')'], ['size', 'most members'], ['documents', 'most documents'], ['weight', 'most reused characters'],
            ['similarity', 'least similar first']].forEach(function (o) {
            sel.appendChild(h('option', { value: o[0], selected: (state.sort || '') === o[0] }, o[1]));
          });
          return sel;
        })()));
      app.appendChild(h('h1', null, 'Clusters'));
      app.appendChild(filters);
      var body = h('div', { id: 'list-body' });
      app.appendChild(body);
      views.clusters.body = body;
      views.clusters.draw2(state);
    }, draw2: function (state) {
      lastList.clusters = hashOf('clusters', state);
      var body = views.clusters.body;
      body.textContent = '';
      var t0 = performance.now();
      var list = filterClusters(state);
      var pages = Math.max(1, Math.ceil(list.length / PAGE));
      var page = Math.min(pages - 1, Math.max(0, (parseInt(state.page, 10) || 1) - 1));
      body.appendChild(docChips(state, function () { replaceHash(hashOf('clusters', state)); views.clusters.draw2(state); }));
      function onpage(p2) {
        state.page = p2 + 1;
        replaceHash(hashOf('clusters', state));
        views.clusters.draw2(state);
        window.scrollTo(0, 0);
      }
      body.appendChild(pager(page, pages, list.length, 'clusters (' + Math.round(performance.now() - t0) + ' ms)', onpage));
      var q = lower(state.q || '').trim();
      var ul = h('ul', { class: 'list', id: 'cluster-list' });
      list.slice(page * PAGE, page * PAGE + PAGE).forEach(function (c) {
        var rep = c.members[c.representative];
        var names = c._docs.slice(0, 3).map(function (d) { return docs[d].label; }).join(' · ');
        var textShown = rep.text;
        if (q && lower(rep.text).indexOf(q) < 0) {
          var hit = c.members.find(function (m) { return lower(m.text).indexOf(q) >= 0; });
          if (hit) textShown = hit.text;
        }
        ul.appendChild(h('li', null, h('a', { class: 'row cluster-row', href: '#cluster=' + c.id, 'data-id': c.id },
          h('div', { class: 'head' },
            h('b', null, '#' + c.id),
            h('span', null, num(c.members.length) + ' members'),
            h('span', null, num(c._docs.length) + (c._docs.length === 1 ? ' document' : ' documents')),
            h('span', null, 'similarity ' + (c._min === c._max ? fix(c._min) : fix(c._min) + '–' + fix(c._max))),
            h('span', null, num(c._weight) + ' characters reused'),
            h('span', null, names + (c._docs.length > 3 ? ' +' + (c._docs.length - 3) : ''))),
          h('div', { class: 'text' }, withHits(excerpt(textShown, 220), q)))));
      });
      if (!list.length) ul.appendChild(h('li', { class: 'muted' }, 'No cluster matches these filters.'));
      body.appendChild(ul);
      if (pages > 1) body.appendChild(pager(page, pages, list.length, 'clusters', onpage));
    } };

    // ----- one cluster
    views.cluster = { tab: 'clusters', draw: function (p) {
      var c = byId.get(String(p.id));
      if (!c) { app.appendChild(h('p', { class: 'note' }, 'There is no cluster ' + p.id + ' in this report.')); return; }
      document.title = 'recur report: cluster ' + c.id;
      var rep = c.members[c.representative];
      var prev = clusters[c._pos - 1], next = clusters[c._pos + 1];
      app.appendChild(h('div', { class: 'nav' },
        h('a', { href: lastList.clusters || '#clusters' }, '← list'),
        prev ? h('a', { href: '#cluster=' + prev.id, id: 'prev' }, '‹ cluster ' + prev.id) : null,
        next ? h('a', { href: '#cluster=' + next.id, id: 'next' }, 'cluster ' + next.id + ' ›') : null,
        h('span', { class: 'muted small' }, '(← → keys)')));
      app.appendChild(h('h1', null, 'Cluster ' + c.id));
      app.appendChild(cards([[num(c.members.length), 'members'], [num(c._docs.length), 'documents'],
        [c._min === c._max ? fix(c._min) : fix(c._min) + '–' + fix(c._max), 'similarity to the representative'],
        [num(c._weight), 'characters reused', 'content characters of the members other than the representative']]));
      app.appendChild(h('p', { class: 'legend small muted' }, 'Each member beside the representative: ',
        h('del', null, 'in the representative only'), ' ', h('ins', null, 'in the member only'),
        '. Similarity is the exact Jaccard similarity of character-bigram sets.'));
      app.appendChild(h('div', { class: 'rep' }, h('div', { class: 'label small muted' }, 'REPRESENTATIVE'),
        locLine(rep, 'paragraph ' + rep.paragraph), h('div', { class: 'text' }, rep.text)));
      var others = c.members.filter(function (m, k) { return k !== c.representative; });
      var pages = Math.max(1, Math.ceil(others.length / MEMBER_PAGE));
      var page = Math.min(pages - 1, Math.max(0, (parseInt(p.page, 10) || 1) - 1));
      function onpage(p2) { go(hashOf('cluster', { id: c.id, page: p2 + 1 })); }
      if (pages > 1) app.appendChild(pager(page, pages, others.length, 'members', onpage));
      var box = h('div', { id: 'members' });
      others.slice(page * MEMBER_PAGE, (page + 1) * MEMBER_PAGE).forEach(function (m) {
        var d = diffPair(rep.text, m.text);
        box.appendChild(h('div', { class: 'pair member' },
          locLine(m, 'paragraph ' + m.paragraph + ' · similarity ' + fix(m.similarity, 3) + ' · ' + num(d[2]) + ' characters differ'),
          h('div', { class: 'grid2' },
            h('div', { class: 'side' }, h('div', { class: 'label' }, 'representative'), d[0]),
            h('div', { class: 'side' }, h('div', { class: 'label' }, 'member'), d[1]))));
      });
      app.appendChild(box);
      if (pages > 1) app.appendChild(pager(page, pages, others.length, 'members', onpage));
    } };

    document.addEventListener('keydown', function (e) {
      if (parseHash().view !== 'cluster' || e.target.tagName === 'INPUT' || e.target.tagName === 'SELECT') return;
      var a = document.getElementById(e.key === 'ArrowLeft' ? 'prev' : e.key === 'ArrowRight' ? 'next' : '');
      if (a) location.hash = a.getAttribute('href');
    });
  }

  // =============================================================================================
  // recur phrases

  function setupPhrases() {
    var phrases = data.phrases || [];
    var byId = new Map();
    phrases.forEach(function (ph, i) {
      ph._pos = i;
      byId.set(String(ph.id), ph);
      var ds = new Set();
      (ph.locations || []).forEach(function (l) {
        l._doc = docId(l);
        l._chars = typeof l.content_chars === 'number' ? l.content_chars : contentChars(l.text || '');
        ds.add(l._doc);
        docs[l._doc].paragraphs += 1;
      });
      ph._docs = Array.from(ds);
    });
    labelDocs();
    var hay = null;
    function haystack(ph) {
      if (!hay) hay = new Array(phrases.length);
      var v = hay[ph._pos];
      if (v === undefined) {
        v = lower(ph.text + '\n' + (ph.variants || []).map(function (x) { return x.text; }).join('\n'));
        hay[ph._pos] = v;
      }
      return v;
    }
    setTabs([['overview', 'Overview'], ['phrases', 'Phrases (' + num(phrases.length) + ')']]);
    defaultView = 'overview';

    views.overview = { draw: function () {
      var st = data.stats || {};
      document.title = 'recur phrases: ' + num(phrases.length) + ' phrases';
      app.appendChild(h('h1', null, 'Recurring phrases'));
      app.appendChild(cards([
        [num(st.files_read) + (st.files_skipped ? ' (+' + num(st.files_skipped) + ' skipped)' : ''), 'files read'],
        [num(st.documents), 'documents'], [num(st.paragraphs), 'paragraphs'], [num(st.content_chars), 'content characters'],
        [num(phrases.length), 'phrases'],
        [num((data.options || {}).min_docs), 'fewest documents per phrase']]));
      if (st.truncated) app.appendChild(h('p', { class: 'note' }, 'Caps were reached: ' + JSON.stringify(st.truncated)));
      add(app, runNotes());
      add(app, optionsBlock());
      var docBins = [[1, 2], [3, 3], [4, 4], [5, 5], [6, 10], [11, 20], [21, 50], [51, 100], [101, 1e12]].map(function (r) {
        return { label: r[0] === r[1] ? String(r[0]) : r[1] > 1e9 ? r[0] + '+' : r[0] + '–' + r[1], lo: r[0], hi: r[1], count: 0 };
      });
      var lenBins = [[1, 14], [15, 19], [20, 29], [30, 49], [50, 99], [100, 199], [200, 1e12]].map(function (r) {
        return { label: r[1] > 1e9 ? r[0] + '+' : r[0] + '–' + r[1], lo: r[0], hi: r[1], count: 0 };
      });
      phrases.forEach(function (ph) {
        docBins.forEach(function (b) { if (ph.documents >= b.lo && ph.documents <= b.hi) b.count += 1; });
        lenBins.forEach(function (b) { if (ph.chars >= b.lo && ph.chars <= b.hi) b.count += 1; });
      });
      app.appendChild(h('div', { class: 'grid2' },
        h('div', null, h('h2', null, 'Documents per phrase'), barChart(docBins, { title: 'documents per phrase', width: 480,
          xlabel: 'documents (click: phrases in at least this many)', onclick: function (b) { go(hashOf('phrases', { docs: b.lo })); } })),
        h('div', null, h('h2', null, 'Phrase length'), barChart(lenBins, { title: 'phrase length', width: 480,
          xlabel: 'content characters (click: phrases at least this long)', onclick: function (b) { go(hashOf('phrases', { chars: b.lo })); } }))));
      var mx = docMatrix(phrases, function (ph) { return ph.locations || []; });
      app.appendChild(h('h2', null, 'Which documents share phrases'));
      app.appendChild(h('p', { class: 'muted small' }, 'Row → column: occurrences in the row document of phrases that also occur in the column document.' +
        (mx.total > mx.n ? ' Showing the ' + mx.n + ' of ' + num(mx.total) + ' documents with the most occurrences.' : '')));
      app.appendChild(heatMap(mx, 'occurrences', function (a, b) { go(hashOf('phrases', { doc: a.id, doc2: b.id })); }));
    } };

    function filterPhrases(p) {
      var minDocs = parseInt(p.docs, 10) || 0, minChars = parseInt(p.chars, 10) || 0;
      var inDocs = docTest(p);
      var q = lower(p.q || '').trim();
      return phrases.filter(function (ph) {
        if (ph.documents < minDocs || ph.chars < minChars) return false;
        if (!inDocs(ph._docs)) return false;
        if (q && haystack(ph).indexOf(q) < 0) return false;
        return true;
      });
    }

    views.phrases = { draw: function (p) {
      var state = Object.assign({}, p);
      document.title = 'recur phrases: list';
      function update(key, value) {
        state[key] = value;
        if (key !== 'page') delete state.page;
        replaceHash(hashOf('phrases', state));
        drawBody();
      }
      var search = h('input', { type: 'search', placeholder: 'words in a phrase', value: state.q || '' });
      var timer = 0;
      search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { update('q', search.value); }, 150); });
      app.appendChild(h('h1', null, 'Phrases'));
      app.appendChild(h('div', { class: 'filters' },
        h('label', null, 'search', search),
        h('label', null, 'at least documents', h('input', { type: 'number', min: 1, value: state.docs || '', onchange: function (e) { update('docs', e.target.value); } })),
        h('label', null, 'at least characters', h('input', { type: 'number', min: 1, value: state.chars || '', onchange: function (e) { update('chars', e.target.value); } })),
        docFilter(state, update)));
      var body = h('div', { id: 'list-body' });
      app.appendChild(body);
      function drawBody() {
        lastList.phrases = hashOf('phrases', state);
        body.textContent = '';
        body.appendChild(docChips(state, function () { replaceHash(hashOf('phrases', state)); drawBody(); }));
        var list = filterPhrases(state);
        var pages = Math.max(1, Math.ceil(list.length / PAGE));
        var page = Math.min(pages - 1, Math.max(0, (parseInt(state.page, 10) || 1) - 1));
        function onpage(p2) { update('page', p2 + 1); window.scrollTo(0, 0); }
        body.appendChild(pager(page, pages, list.length, 'phrases', onpage));
        var q = lower(state.q || '').trim();
        var t = h('table', { id: 'phrase-table' }, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'phrase'),
          h('th', { class: 'num' }, 'characters'), h('th', { class: 'num' }, 'documents'), h('th', { class: 'num' }, 'occurrences'),
          h('th', { class: 'num' }, 'score'), h('th', { class: 'num' }, 'variants')));
        list.slice(page * PAGE, (page + 1) * PAGE).forEach(function (ph) {
          var shown = ph.text;
          t.appendChild(h('tr', { class: 'link phrase-row', 'data-id': ph.id, onclick: function () { go('#phrase=' + ph.id); } },
            h('td', { class: 'num' }, h('a', { href: '#phrase=' + ph.id }, String(ph.id))),
            h('td', null, withHits(excerpt(shown, 160), q)),
            h('td', { class: 'num' }, num(ph.chars)), h('td', { class: 'num' }, num(ph.documents)),
            h('td', { class: 'num' }, num(ph.occurrences)), h('td', { class: 'num' }, num(ph.score)),
            h('td', { class: 'num' }, num((ph.variants || []).length))));
        });
        if (!list.length) t.appendChild(h('tr', null, h('td', { colspan: 7, class: 'muted' }, 'No phrase matches these filters.')));
        body.appendChild(t);
        if (pages > 1) body.appendChild(pager(page, pages, list.length, 'phrases', onpage));
      }
      drawBody();
    } };

    views.phrase = { tab: 'phrases', draw: function (p) {
      var ph = byId.get(String(p.id));
      if (!ph) { app.appendChild(h('p', { class: 'note' }, 'There is no phrase ' + p.id + ' in this report.')); return; }
      document.title = 'recur phrases: phrase ' + ph.id;
      var prev = phrases[ph._pos - 1], next = phrases[ph._pos + 1];
      app.appendChild(h('div', { class: 'nav' }, h('a', { href: lastList.phrases || '#phrases' }, '← list'),
        prev ? h('a', { href: '#phrase=' + prev.id }, '‹ phrase ' + prev.id) : null,
        next ? h('a', { href: '#phrase=' + next.id }, 'phrase ' + next.id + ' ›') : null));
      app.appendChild(h('h1', null, 'Phrase ' + ph.id));
      app.appendChild(h('p', { class: 'rep text' }, ph.text));
      app.appendChild(cards([[num(ph.chars), 'characters'], [num(ph.documents), 'documents'], [num(ph.occurrences), 'occurrences'],
        [num(ph.score), 'score (documents × characters)'], [num((ph.variants || []).length), 'variants']]));
      if (ph.locations_omitted) app.appendChild(h('p', { class: 'note' }, num(ph.locations_omitted) + ' occurrences are not listed (a cap of the run was reached).'));
      var vs = ph.variants || [];
      app.appendChild(h('h2', null, 'Variants'));
      app.appendChild(h('p', { class: 'legend small muted' }, 'Each variant against the most frequent one: ',
        h('del', null, 'left out of the most frequent'), ' ', h('ins', null, 'added to it')));
      var vt = h('table', { id: 'variant-table' }, h('tr', null, h('th', null, 'as written'), h('th', { class: 'num' }, 'documents'),
        h('th', { class: 'num' }, 'occurrences')));
      vs.forEach(function (v, i) {
        var shown = i === 0 ? h('span', { class: 'text' }, v.text) : unifiedDiff(vs[0].text, v.text);
        vt.appendChild(h('tr', null, h('td', null, shown), h('td', { class: 'num' }, num(v.documents)), h('td', { class: 'num' }, num(v.occurrences))));
      });
      app.appendChild(vt);
      var locs = ph.locations || [];
      app.appendChild(h('h2', null, 'Where it occurs (' + num(locs.length) + ')'));
      var pages = Math.max(1, Math.ceil(locs.length / (2 * MEMBER_PAGE)));
      var page = Math.min(pages - 1, Math.max(0, (parseInt(p.page, 10) || 1) - 1));
      function onpage(p2) { go(hashOf('phrase', { id: ph.id, page: p2 + 1 })); }
      if (pages > 1) app.appendChild(pager(page, pages, locs.length, 'locations', onpage));
      var lt = h('table', { id: 'location-table' }, h('tr', null, h('th', null, 'document'), h('th', null, 'file:line'), h('th', null, 'as written')));
      locs.slice(page * 2 * MEMBER_PAGE, (page + 1) * 2 * MEMBER_PAGE).forEach(function (l) {
        var d = docs[l._doc];
        lt.appendChild(h('tr', { class: 'location' }, h('td', null, d.label), h('td', { class: 'loc' }, l.path + ':' + l.line),
          h('td', { class: 'text' }, l.text)));
      });
      app.appendChild(lt);
    } };
  }

  // =============================================================================================
  // recur compare

  // ---------------------------------------------------------------------------------------------
  // passages of two texts side by side (compare, and each source of a query)

  function textName(t) { return t.document && t.document !== t.path ? t.document.trim() : basename(t.path); }
  function coverBar(label, share) {
    return h('div', { class: 'cover' }, h('span', { style: 'min-width:190px' }, label),
      h('span', { class: 'track' }, h('span', { class: 'fill', style: 'display:block;width:' + Math.min(100, 100 * (share || 0)).toFixed(1) + '%' })),
      h('b', null, pct(share)));
  }

  /**
   * Where the passages lie in one text, as a strip; a click scrolls to the passage. Offsets
   * (char_start) count from the start of the file; for a document of a compilation (FILE#N)
   * the report does not say where the document starts, so the strip then spans the passages.
   */
  function coverMap(ps, side, total, label, onpick) {
    var w = 1000, lo = 0, hi = Math.max(1, total || 0);
    var first = Infinity, last = 0;
    ps.forEach(function (p) { first = Math.min(first, p[side].char_start); last = Math.max(last, p[side].char_start + p[side].char_length); });
    var whole = !ps.length || (total && last <= hi);
    if (!whole) { lo = first; hi = Math.max(first + 1, last); }
    var svg = s('svg', { class: 'map', viewBox: '0 0 ' + w + ' 20', preserveAspectRatio: 'none' },
      s('rect', { class: 'bg', x: 0, y: 0, width: w, height: 20 }));
    ps.forEach(function (p) {
      var sp = p[side];
      var r = s('rect', { class: p.template ? 't' : 'p', x: ((sp.char_start - lo) / (hi - lo)) * w, y: 0,
        width: Math.max(2, (sp.char_length / (hi - lo)) * w), height: 20 }, s('title', null, 'passage ' + p._n + ': line ' + lines(sp)));
      r.addEventListener('click', function () { onpick(p); });
      svg.appendChild(r);
    });
    return h('div', null, svg, h('div', { class: 'muted small' },
      label + (whole ? ': the whole text' : ': from its first passage to its last')));
  }

  /**
   * The passages `ps` (numbered p._n) of texts A and B in two columns, each in its own text's
   * order, differences highlighted; a click on a passage brings its partner into view. `totals`:
   * the characters of each text (0 when unknown); `fragment(n)` is the URL fragment naming passage
   * n; passage `want` is shown first.
   */
  function passagesPane(ps, a, b, labels, totals, fragment, want) {
    var colA = h('div', { class: 'col', id: 'col-a' }, h('h2', null, labels[0] + ': ' + textName(a)));
    var colB = h('div', { class: 'col', id: 'col-b' }, h('h2', null, labels[1] + ': ' + textName(b)));
    var elA = new Map(), elB = new Map();
    function centre(col, el) { col.scrollTop = Math.max(0, el.offsetTop - (col.clientHeight - el.offsetHeight) / 2); }
    function pick(p, from) {
      document.querySelectorAll('.passage.active').forEach(function (e) { e.classList.remove('active'); });
      var ea = elA.get(p._n), eb = elB.get(p._n);
      ea.classList.add('active'); eb.classList.add('active');
      // Each column scrolls by itself, so the page stays where it is.
      if (from !== 'a') centre(colA, ea);
      if (from !== 'b') centre(colB, eb);
      replaceHash(fragment(p._n));
    }
    app.appendChild(h('div', { class: 'grid2' }, coverMap(ps, 'a', totals[0], labels[0], function (p) { pick(p, 'map'); }),
      coverMap(ps, 'b', totals[1], labels[1], function (p) { pick(p, 'map'); })));
    function block(p, side) {
      var sp = p[side];
      var d = diffPair(p.a.text, p.b.text);
      var el = h('div', { class: 'passage' + (p.template ? ' template' : ''), id: 'p' + side + p._n, 'data-n': p._n },
        h('div', { class: 'head' }, h('b', null, 'passage ' + p._n), ' · line ' + lines(sp) + ' · ' + p.kind +
          ' · similarity ' + fix(p.similarity, 3) + ' · ' + num(sp.content_chars) + ' characters' + (p.template ? ' · template' : '')),
        side === 'a' ? d[0] : d[1]);
      el.addEventListener('click', function () { pick(p, side); });
      return el;
    }
    ps.forEach(function (p) { var e = block(p, 'a'); elA.set(p._n, e); colA.appendChild(e); });
    ps.slice().sort(function (x, y) { return x.b.char_start - y.b.char_start || x._n - y._n; }).forEach(function (p) {
      var e = block(p, 'b'); elB.set(p._n, e); colB.appendChild(e);
    });
    if (!ps.length) colA.appendChild(h('p', { class: 'muted' }, 'The two texts share no passage.'));
    app.appendChild(h('div', { class: 'cols' }, colA, colB));
    if (want && elA.has(want)) setTimeout(function () { pick(ps[want - 1], 'map'); }, 0);
  }

  function detailsView(title, extra) {
    return { draw: function () {
      document.title = 'recur ' + kind + ': options';
      app.appendChild(h('h1', null, title));
      add(app, extra ? extra() : null);
      app.appendChild(kvTable(data.options));
      add(app, runNotes());
    } };
  }

  // =============================================================================================
  // recur compare

  function setupCompare() {
    var ps = data.passages || [];
    ps.forEach(function (p, i) { p._n = i + 1; });
    setTabs([['passages', 'Passages (' + num(ps.length) + ')'], ['details', 'Options']]);
    defaultView = 'passages';
    views.details = detailsView('Options of this comparison');

    views.passages = { draw: function (params) {
      var a = data.a || {}, b = data.b || {}, cov = data.coverage || {};
      document.title = 'recur compare: ' + textName(a) + ' ↔ ' + textName(b);
      app.appendChild(h('h1', null, textName(a) + '  ↔  ' + textName(b)));
      var templates = ps.filter(function (p) { return p.template; }).length;
      app.appendChild(h('div', { class: 'grid2' },
        h('div', null, h('div', { class: 'loc' }, 'A: ' + a.path + (a.document && a.document !== a.path ? ' · ' + a.document : '') +
          ' · ' + num(a.content_chars) + ' characters')),
        h('div', null, h('div', { class: 'loc' }, 'B: ' + b.path + (b.document && b.document !== b.path ? ' · ' + b.document : '') +
          ' · ' + num(b.content_chars) + ' characters'))));
      app.appendChild(coverBar('of A is found in B', cov.a_in_b));
      app.appendChild(coverBar('of B is found in A', cov.b_in_a));
      if (templates) {
        app.appendChild(coverBar('of A is template (--base)', cov.a_template));
        app.appendChild(coverBar('of B is template (--base)', cov.b_template));
      }
      app.appendChild(h('p', { class: 'muted small' }, num(ps.length - templates) + ' passages' +
        (templates ? ', ' + num(templates) + ' template passages (not counted)' : '') +
        '. Click a passage to bring its partner into view; the strips show where passages lie in each text. ',
        h('del', null, 'only in A'), ' ', h('ins', null, 'only in B')));
      add(app, listNotes('Warnings', data.warnings, function (x) { return x; }));
      passagesPane(ps, a, b, ['A', 'B'], [a.chars, b.chars], function (n) { return '#passage=' + n; }, parseInt(params.id, 10));
    } };
    views.passage = { tab: 'passages', draw: function (p) { views.passages.draw(p); } };
  }

  // =============================================================================================
  // recur query: each query text, the archived documents it shares passages with, and the passages

  function setupQuery() {
    var qs = data.queries || [];
    qs.forEach(function (q, i) {
      q._n = i + 1;
      (q.sources || []).forEach(function (source) { (source.passages || []).forEach(function (p, k) { p._n = k + 1; }); });
    });
    var arch = data.archive || {};
    setTabs([['queries', 'Queries (' + num(qs.length) + ')'], ['details', 'Options']]);
    defaultView = 'queries';
    views.details = detailsView('Options of this query', function () {
      return h('div', null, h('p', null, 'Archive ' + (arch.path || '') + ', ' + num(arch.documents) + ' documents.'),
        h('h3', null, 'The archive\u2019s options'), kvTable(arch.fingerprint || {}), h('h3', null, 'Options of the query'));
    });

    function sourcesText(q) {
      var source = q.sources || [];
      return source.slice(0, 3).map(function (x) { return textName(x) + ' ' + pct(x.share); }).join(' · ') +
        (source.length > 3 ? ' +' + (source.length - 3) : '');
    }

    views.queries = { draw: function (p) {
      var st = data.stats || {};
      document.title = 'recur query: ' + num(qs.length) + ' queries';
      app.appendChild(h('h1', null, 'What the archive holds of each query'));
      app.appendChild(cards([[num(qs.length), 'queries'], [num(arch.documents), 'archived documents'],
        [num(st.candidates), 'documents aligned'], [num(st.passages), 'passages']]));
      add(app, runNotes());
      var pages = Math.max(1, Math.ceil(qs.length / PAGE));
      var page = Math.min(pages - 1, Math.max(0, (parseInt(p.page, 10) || 1) - 1));
      function onpage(p2) { go(hashOf('queries', { page: p2 + 1 })); }
      app.appendChild(pager(page, pages, qs.length, 'queries', onpage));
      var t = h('table', { id: 'query-table' }, h('tr', null, h('th', { class: 'num' }, '#'), h('th', null, 'query'),
        h('th', { class: 'num' }, 'characters'), h('th', null, 'found in the archive'), h('th', { class: 'num' }, 'template'),
        h('th', null, 'sources')));
      qs.slice(page * PAGE, (page + 1) * PAGE).forEach(function (q) {
        t.appendChild(h('tr', { class: 'link query-row', 'data-n': q._n, onclick: function () { go('#query=' + q._n); } },
          h('td', { class: 'num' }, h('a', { href: '#query=' + q._n }, String(q._n))),
          h('td', null, textName(q), h('div', { class: 'loc' }, q.path + (q.document_index > 1 ? '#' + q.document_index : ''))),
          h('td', { class: 'num' }, num(q.content_chars)), h('td', null, coverBar('', q.found)),
          h('td', { class: 'num' }, pct(q.template)), h('td', { class: 'small' }, sourcesText(q))));
      });
      app.appendChild(t);
    } };

    views.query = { tab: 'queries', draw: function (p) {
      var q = qs[(parseInt(p.id, 10) || 1) - 1];
      if (!q) { app.appendChild(h('p', { class: 'note' }, 'There is no query ' + p.id + ' in this report.')); return; }
      var list = q.sources || [];
      var k = Math.min(list.length, Math.max(1, parseInt(p.source, 10) || 1));
      document.title = 'recur query: ' + textName(q);
      app.appendChild(h('div', { class: 'nav' }, h('a', { href: '#queries' }, '← queries'),
        q._n > 1 ? h('a', { href: '#query=' + (q._n - 1) }, '‹ query ' + (q._n - 1)) : null,
        q._n < qs.length ? h('a', { href: '#query=' + (q._n + 1) }, 'query ' + (q._n + 1) + ' ›') : null));
      app.appendChild(h('h1', null, textName(q)));
      app.appendChild(h('div', { class: 'loc' }, q.path + (q.document_index > 1 ? '  · document ' + q.document_index : '') +
        ' · ' + num(q.content_chars) + ' characters'));
      app.appendChild(coverBar('found in the archive', q.found));
      if (q.template) app.appendChild(coverBar('template text, not counted', q.template));
      add(app, runNotes());
      if (!list.length) { app.appendChild(h('p', { class: 'muted' }, 'No archived document shares a passage with this text.')); return; }
      var t = h('table', { id: 'source-table' }, h('tr', null, h('th', null, 'archived document'), h('th', { class: 'num' }, 'characters'),
        h('th', null, 'share of the query'), h('th', { class: 'num' }, 'passages')));
      list.forEach(function (source, i) {
        t.appendChild(h('tr', { class: 'link source-row' + (i + 1 === k ? ' on' : ''), 'data-n': i + 1,
          onclick: function () { go(hashOf('query', { id: q._n, source: i + 1 })); } },
          h('td', null, (i + 1 === k ? '▶ ' : '') + textName(source), h('div', { class: 'loc' }, source.path + (source.document_index > 1 ? '#' + source.document_index : ''))),
          h('td', { class: 'num' }, num(source.chars)), h('td', null, coverBar('', source.share)),
          h('td', { class: 'num' }, num((source.passages || []).length))));
      });
      var box = h('div', { class: 'scroll' }, t);
      app.appendChild(box);
      var on = t.querySelector('tr.on');
      if (on && on.offsetTop + on.offsetHeight > box.clientHeight) box.scrollTop = on.offsetTop - box.clientHeight / 2;
      var source = list[k - 1];
      app.appendChild(h('h2', null, 'Passages shared with ' + textName(source)));
      app.appendChild(h('p', { class: 'legend small muted' }, 'Click a passage to bring its partner into view. ',
        h('del', null, 'only in the query'), ' ', h('ins', null, 'only in the archived document')));
      passagesPane(source.passages || [], q, source, ['query', 'source'], [0, 0],
        function (n) { return hashOf('query', { id: q._n, source: k, passage: n }); }, parseInt(p.passage, 10));
    } };
  }

  // ---------------------------------------------------------------------------------------------

  function start() {
    root.setAttribute('data-start-ms', String(Math.round(performance.now())));
    var tp = performance.now();
    // The JSON comes in script elements of about a megabyte each (the HTML parser reads many small
    // ones faster than one large one), split between characters: their texts joined are the report.
    var parts = document.querySelectorAll('script.recur-data');
    var text = '';
    for (var i = 0; i < parts.length; ++i) text += parts[i].textContent;
    data = JSON.parse(text);
    text = null;
    root.setAttribute('data-parse-ms', String(Math.round(performance.now() - tp)));
    var t0 = performance.now();
    if (kind === 'phrases') setupPhrases();
    else if (kind === 'compare') setupCompare();
    else if (kind === 'query') setupQuery();
    else setupReport();
    root.setAttribute('data-setup-ms', String(Math.round(performance.now() - t0)));
    var foot = h('footer', { class: 'muted small', style: 'padding:0 20px 20px' },
      'recur ' + (data.recur_version || '') + ' · one self-contained file: the report is embedded as JSON ' +
      '(script element recur-data), drawn by the script below it; nothing is fetched.');
    document.body.appendChild(foot);
    window.addEventListener('hashchange', route);
    route();
  }
  try { start(); } catch (e) { recordError(e && e.stack ? e.stack : e); throw e; }
})();
