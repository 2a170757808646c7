/*
 * Offline API reference for an OpenAPI 3.1 document.
 *
 * Plain browser JavaScript, no dependencies, no build step. Works under a strict
 * Content-Security-Policy (no inline script or style, no eval): every node is built
 * with createElement/textContent, never from HTML strings, and no style attribute is
 * ever set — presentation lives in reference.css and is switched with classes and the
 * `hidden` attribute.
 */
(function () {
  'use strict';

  var SPEC_URL = document.documentElement.getAttribute('data-spec') || '/openapi.json';
  var HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  var MAX_DEPTH = 48;
  var FETCH_TIMEOUT_MS = 20000;
  var STATUS_TEXT = {
    100: 'Continue', 101: 'Switching Protocols',
    200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
    205: 'Reset Content', 206: 'Partial Content',
    300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
    307: 'Temporary Redirect', 308: 'Permanent Redirect',
    400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
    411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large', 414: 'URI Too Long',
    415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed', 422: 'Unprocessable Content',
    423: 'Locked', 425: 'Too Early', 428: 'Precondition Required', 429: 'Too Many Requests',
    431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
    500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout'
  };

  var spec = null;
  var idCounter = 0;
  var usedIds = Object.create(null);

  /* ------------------------------------------------------------------ helpers */

  function hasOwn(o, k) {
    return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k);
  }
  function isObj(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }
  function uid(prefix) {
    idCounter += 1;
    return (prefix || 'x') + '-' + idCounter;
  }
  /** Reserve a unique element id derived from `base`. */
  function uniqueId(base) {
    var id = String(base).replace(/\s+/g, '-');
    if (!id) id = 'id';
    var candidate = id;
    var n = 2;
    while (usedIds[candidate] || document.getElementById(candidate)) {
      candidate = id + '-' + n;
      n += 1;
    }
    usedIds[candidate] = true;
    return candidate;
  }
  function slug(s) {
    return String(s).replace(/[^A-Za-z0-9_.~-]+/g, '-').replace(/^-+|-+$/g, '');
  }

  /**
   * el('tag', {class, text, hidden, ...attributes}, ...children).
   * Children may be nodes, strings (inserted as text), arrays, null.
   * Never sets `style` or event-handler attributes.
   */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = String(v);
        else if (k === 'hidden') node.hidden = true;
        else if (k === 'style' || /^on/i.test(k)) throw new Error('refusing attribute ' + k);
        else node.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) add(node, arguments[i]);
    return node;
  }
  function add(node, child) {
    if (child === null || child === undefined || child === false) return node;
    if (Array.isArray(child)) {
      child.forEach(function (c) { add(node, c); });
    } else if (child instanceof Node) {
      node.appendChild(child);
    } else {
      node.appendChild(document.createTextNode(String(child)));
    }
    return node;
  }
  function text(s) {
    return document.createTextNode(String(s));
  }
  function joinNodes(nodes, sep) {
    var out = [];
    nodes.forEach(function (n, i) {
      if (i > 0) out.push(text(sep));
      out.push(n);
    });
    return out;
  }

  /** Only http(s), mailto and same-document/relative links survive. */
  function safeUrl(href) {
    if (typeof href !== 'string') return null;
    var h = href.trim();
    if (!h) return null;
    if (h.charAt(0) === '#') return h;
    try {
      var u = new URL(h, window.location.href);
      if (u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:') return u.href;
    } catch (e) { /* fall through */ }
    return null;
  }
  function link(href, label, cls) {
    var url = safeUrl(href);
    if (!url) return el('span', { class: cls || null }, label);
    var external = url.charAt(0) !== '#' && !url.startsWith(window.location.origin + '/');
    return el('a', {
      href: url,
      class: cls || null,
      rel: external ? 'noopener noreferrer' : null
    }, label);
  }

  function jsonText(v) {
    if (typeof v === 'string') return v;
    try {
      return JSON.stringify(v, null, 2);
    } catch (e) {
      return String(v);
    }
  }
  function jsonInline(v) {
    try {
      return JSON.stringify(v);
    } catch (e) {
      return String(v);
    }
  }

  /* ------------------------------------------------------------------ markdown (safe subset) */

  var LIST_RE = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
  var FENCE_RE = /^\s*(```|~~~)/;
  var HEADING_RE = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
  var QUOTE_RE = /^\s{0,3}>\s?(.*)$/;

  /** Render a safe subset of CommonMark into a <div class="md">. */
  function markdown(src, cls) {
    var root = el('div', { class: 'md' + (cls ? ' ' + cls : '') });
    if (src === null || src === undefined || src === '') return root;
    var lines = String(src).replace(/\r\n?/g, '\n').split('\n');
    var i = 0;

    function isBlockStart(line) {
      return FENCE_RE.test(line) || HEADING_RE.test(line) || LIST_RE.test(line) || QUOTE_RE.test(line);
    }

    while (i < lines.length) {
      var line = lines[i];
      if (!line.trim()) { i++; continue; }

      var fence = FENCE_RE.exec(line);
      if (fence) {
        var marker = fence[1];
        var body = [];
        i++;
        while (i < lines.length && lines[i].trim().indexOf(marker) !== 0) { body.push(lines[i]); i++; }
        i++; // closing fence
        root.appendChild(el('pre', { class: 'code-block' }, el('code', { text: body.join('\n') })));
        continue;
      }

      var heading = HEADING_RE.exec(line);
      if (heading) {
        var h = el('p', { class: 'md-heading md-h' + heading[1].length });
        inline(h, heading[2]);
        root.appendChild(h);
        i++;
        continue;
      }

      if (QUOTE_RE.test(line)) {
        var quoted = [];
        while (i < lines.length && QUOTE_RE.test(lines[i])) { quoted.push(QUOTE_RE.exec(lines[i])[1]); i++; }
        var bq = el('blockquote');
        bq.appendChild(markdown(quoted.join('\n')));
        root.appendChild(bq);
        continue;
      }

      var li = LIST_RE.exec(line);
      if (li) {
        i = parseList(lines, i, root);
        continue;
      }

      var para = [];
      while (i < lines.length && lines[i].trim() && !(para.length && isBlockStart(lines[i]))) {
        para.push(lines[i]);
        i++;
      }
      var p = el('p');
      para.forEach(function (l, idx) {
        if (idx > 0) {
          if (/ {2,}$/.test(para[idx - 1]) || /\\$/.test(para[idx - 1])) p.appendChild(el('br'));
          else p.appendChild(text(' '));
        }
        inline(p, l.replace(/\\$/, '').trim());
      });
      root.appendChild(p);
    }
    return root;
  }

  /** Parse consecutive list items starting at lines[i] (nesting by indentation). Returns next index. */
  function parseList(lines, i, parent) {
    var first = LIST_RE.exec(lines[i]);
    var baseIndent = first[1].length;
    var ordered = /\d/.test(first[2]);
    var list = el(ordered ? 'ol' : 'ul');
    if (ordered) {
      var start = parseInt(first[2], 10);
      if (start !== 1) list.setAttribute('start', String(start));
    }
    var item = null;
    var itemText = [];
    function flush() {
      if (item && itemText.length) {
        inline(item, itemText.join(' '));
        itemText = [];
      }
    }
    while (i < lines.length) {
      var line = lines[i];
      if (!line.trim()) {
        // a blank line ends the list unless the next line continues it
        var next = lines[i + 1];
        var m2 = next !== undefined ? LIST_RE.exec(next) : null;
        if (m2 && m2[1].length >= baseIndent) { i++; continue; }
        break;
      }
      var m = LIST_RE.exec(line);
      if (m && m[1].length === baseIndent && /\d/.test(m[2]) === ordered) {
        flush();
        item = el('li');
        list.appendChild(item);
        itemText.push(m[3].trim());
        i++;
      } else if (m && m[1].length > baseIndent && item) {
        flush();
        i = parseList(lines, i, item);
      } else if (m && m[1].length <= baseIndent) {
        break; // different list type at same level
      } else if (/^\s+/.test(line) && item) {
        itemText.push(line.trim()); // continuation line
        i++;
      } else if (item && !FENCE_RE.test(line) && !HEADING_RE.test(line)) {
        itemText.push(line.trim()); // lazy continuation
        i++;
      } else {
        break;
      }
    }
    flush();
    parent.appendChild(list);
    return i;
  }

  var INLINE_RE = new RegExp([
    '(`+)([\\s\\S]*?[^`])\\1(?!`)', // 1,2 code span
    '\\*\\*(?=\\S)([\\s\\S]*?\\S)\\*\\*', // 3 bold
    '\\[([^\\]]+)\\]\\(\\s*<?((?:[^()\\s<>]|\\([^()\\s<>]*\\))+)>?(?:\\s+"[^"]*")?\\s*\\)', // 4,5 link (one level of balanced parens)
    '<((?:https?:\\/\\/|mailto:)[^\\s>]+)>', // 6 autolink
    '(https?:\\/\\/[^\\s<>()]*[^\\s<>().,;:!?\'"])', // 7 bare url
    '(?:^|(?<=[\\s(]))\\*(?=\\S)([^*]*?\\S)\\*(?![\\w*])', // 8 emphasis
    '\\\\([\\\\`*_{}\\[\\]()#+\\-.!<>])' // 9 backslash escape
  ].join('|'), 'g');

  /** Append inline markdown (code, bold, emphasis, links) to `parent` as DOM nodes. */
  function inline(parent, src) {
    var s = String(src);
    var last = 0;
    var m;
    INLINE_RE.lastIndex = 0;
    var re = new RegExp(INLINE_RE.source, 'g');
    while ((m = re.exec(s)) !== null) {
      if (m.index > last) parent.appendChild(text(s.slice(last, m.index)));
      if (m[2] !== undefined) {
        parent.appendChild(el('code', { text: m[2].replace(/^ (.*) $/, '$1') }));
      } else if (m[3] !== undefined) {
        var b = el('strong');
        inline(b, m[3]);
        parent.appendChild(b);
      } else if (m[4] !== undefined) {
        var url = safeUrl(m[5]);
        var a = url ? el('a', { href: url, rel: url.charAt(0) === '#' ? null : 'noopener noreferrer' }) : el('span');
        inline(a, m[4]);
        parent.appendChild(a);
      } else if (m[6] !== undefined) {
        parent.appendChild(link(m[6], m[6]));
      } else if (m[7] !== undefined) {
        parent.appendChild(link(m[7], m[7]));
      } else if (m[8] !== undefined) {
        var em = el('em');
        inline(em, m[8]);
        parent.appendChild(em);
      } else if (m[9] !== undefined) {
        parent.appendChild(text(m[9]));
      }
      last = re.lastIndex;
      if (m[0].length === 0) re.lastIndex++;
    }
    if (last < s.length) parent.appendChild(text(s.slice(last)));
    return parent;
  }

  /* ------------------------------------------------------------------ $ref resolution */

  function unescapePointer(s) {
    var d = s;
    try { d = decodeURIComponent(s); } catch (e) { /* keep raw */ }
    return d.replace(/~1/g, '/').replace(/~0/g, '~');
  }
  function lookup(ref) {
    if (typeof ref !== 'string' || ref.charAt(0) !== '#') return undefined;
    if (ref === '#' || ref === '#/') return spec;
    if (ref.indexOf('#/') !== 0) return undefined;
    var cur = spec;
    var parts = ref.slice(2).split('/');
    for (var i = 0; i < parts.length; i++) {
      var key = unescapePointer(parts[i]);
      if (cur === null || typeof cur !== 'object' || !hasOwn(cur, key)) return undefined;
      cur = cur[key];
    }
    return cur;
  }
  function refName(ref) {
    var parts = String(ref).split('/');
    return unescapePointer(parts[parts.length - 1]);
  }
  function componentSchemaName(ref) {
    var m = /^#\/components\/schemas\/([^/]+)$/.exec(String(ref));
    return m ? unescapePointer(m[1]) : null;
  }

  /** Resolve Reference Objects (parameters, responses, headers, ...). summary/description siblings win. */
  function deref(obj) {
    var cur = obj;
    var over = {};
    var i = 0;
    while (isObj(cur) && typeof cur.$ref === 'string') {
      if (i++ > 32) return { $unresolved: cur.$ref, $cyclic: true };
      if (cur.summary !== undefined && over.summary === undefined) over.summary = cur.summary;
      if (cur.description !== undefined && over.description === undefined) over.description = cur.description;
      var next = lookup(cur.$ref);
      if (next === undefined) return Object.assign({ $unresolved: cur.$ref }, over);
      cur = next;
    }
    if (!isObj(cur)) return {};
    if (over.summary === undefined && over.description === undefined) return cur;
    return Object.assign({}, cur, over);
  }

  /* ------------------------------------------------------------------ schema model */

  var ANNOTATIONS = ['title', 'description', 'default', 'example', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'externalDocs'];
  var STRUCTURE = ['type', 'properties', 'items', 'prefixItems', 'additionalProperties', 'patternProperties', 'enum', 'const', 'not'];

  function isNullSchema(s) {
    if (!isObj(s) || s.$ref) return false;
    if (s.type === 'null') return true;
    if (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null') return true;
    if (hasOwn(s, 'const') && s.const === null) return true;
    if (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null) return true;
    return false;
  }
  function hasAny(s, keys) {
    for (var i = 0; i < keys.length; i++) if (hasOwn(s, keys[i])) return true;
    return false;
  }

  /**
   * Follow $ref chains and unwrap the shapes generators use for Option<T>
   * (3.1 `type: [T, "null"]`, `oneOf: [{type: null}, {$ref}]`, `allOf: [{$ref}]`, 3.0 `nullable`).
   * Returns { s, ref, refName, nullable, ann, types, comb, members, broken }.
   */
  function normalize(input) {
    var n = { s: {}, ref: null, refName: null, nullable: false, ann: {}, types: [], comb: null, members: [], broken: null, boolean: null };
    if (input === true || input === false) { n.boolean = input; return n; }
    var s = isObj(input) ? input : {};
    var steps = 0;
    for (;;) {
      if (steps++ > 64) { n.broken = n.ref || 'cyclic schema'; s = {}; break; }
      ANNOTATIONS.forEach(function (k) {
        if (hasOwn(s, k) && !hasOwn(n.ann, k)) n.ann[k] = s[k];
      });
      if (s.nullable === true) n.nullable = true;
      if (typeof s.$ref === 'string') {
        var target = lookup(s.$ref);
        n.ref = s.$ref;
        n.refName = refName(s.$ref);
        if (target === true || target === false) { n.boolean = target; s = {}; break; }
        if (!isObj(target)) { n.broken = s.$ref; s = {}; break; }
        s = target;
        continue;
      }
      var comb = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : null;
      if (comb && !hasAny(s, STRUCTURE) && !Array.isArray(s.allOf)) {
        var rest = s[comb].filter(function (m) { return !isNullSchema(m); });
        if (rest.length < s[comb].length) n.nullable = true;
        if (rest.length === 1) { s = rest[0]; if (!isObj(s)) s = {}; continue; }
      }
      if (Array.isArray(s.allOf) && s.allOf.length === 1 && !hasAny(s, STRUCTURE) && !s.oneOf && !s.anyOf) {
        s = isObj(s.allOf[0]) ? s.allOf[0] : {};
        continue;
      }
      break;
    }
    n.s = s;
    var types = s.type === undefined ? [] : (Array.isArray(s.type) ? s.type.slice() : [s.type]);
    if (types.indexOf('null') !== -1) {
      n.nullable = true;
      types = types.filter(function (t) { return t !== 'null'; });
    }
    if (!types.length) {
      if (isObj(s.properties) || isObj(s.additionalProperties) || isObj(s.patternProperties)) types = ['object'];
      else if (s.items !== undefined || Array.isArray(s.prefixItems)) types = ['array'];
    }
    if (Array.isArray(s.enum) && s.enum.indexOf(null) !== -1) n.nullable = true;
    n.types = types;
    var c = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : null;
    if (c) {
      n.comb = c;
      n.members = s[c].filter(function (m) { return !isNullSchema(m); });
      if (n.members.length < s[c].length) n.nullable = true;
    }
    return n;
  }

  function withRef(stack, ref) {
    if (!ref) return stack;
    var next = new Set(stack);
    next.add(ref);
    return next;
  }

  /** Type label as DOM: `string (email)`, `array<Project>`, `A | B`, `map<string, T>`. */
  function typeLabel(n, opts, depth) {
    opts = opts || {};
    depth = depth || 0;
    var span = el('span', { class: 'type' });
    if (n.broken) {
      span.appendChild(el('span', { class: 'type-broken', text: 'unresolved ' + n.broken }));
      return span;
    }
    if (n.boolean !== null) {
      span.appendChild(text(n.boolean ? 'any' : 'never'));
      return span;
    }
    if (n.refName && !opts.structural) {
      span.appendChild(refLink(n));
      return span;
    }
    if (depth > 6) {
      span.appendChild(text('…'));
      return span;
    }
    var s = n.s;
    var parts = [];
    if (n.comb && n.members.length) {
      var labels = n.members.map(function (m) { return typeLabel(normalize(m), {}, depth + 1); });
      if (labels.length > 4) parts.push(text((n.comb === 'oneOf' ? 'one of ' : 'any of ') + labels.length + ' types'));
      else parts.push(el('span', { class: 'type-union' }, joinNodes(labels, ' | ')));
    } else if (Array.isArray(s.allOf) && s.allOf.length && !n.types.length) {
      var parts2 = s.allOf.map(function (m) { return typeLabel(normalize(m), {}, depth + 1); });
      parts.push(el('span', { class: 'type-union' }, joinNodes(parts2, ' & ')));
    } else if (hasOwn(s, 'const')) {
      parts.push(text('const ' + jsonInline(s.const)));
    } else if (n.types.length) {
      n.types.forEach(function (t) {
        if (t === 'array') {
          var item;
          if (s.items !== undefined && s.items !== true) item = typeLabel(normalize(s.items), {}, depth + 1);
          else if (Array.isArray(s.prefixItems)) item = text('tuple');
          else item = text('any');
          parts.push(el('span', null, 'array<', item, '>'));
        } else if (t === 'object' && !isObj(s.properties) && isObj(s.additionalProperties)) {
          parts.push(el('span', null, 'map<string, ', typeLabel(normalize(s.additionalProperties), {}, depth + 1), '>'));
        } else {
          parts.push(text(t));
        }
      });
    } else if (Array.isArray(s.enum) && s.enum.length) {
      var kinds = [];
      s.enum.forEach(function (v) {
        var k = v === null ? null : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
        if (k && kinds.indexOf(k) === -1) kinds.push(k);
      });
      parts.push(text(kinds.join(' | ') || 'enum'));
    } else {
      parts.push(text('any'));
    }
    add(span, joinNodes(parts, ' | '));
    if (s.format) span.appendChild(el('span', { class: 'type-format', text: ' (' + s.format + ')' }));
    return span;
  }

  function refLink(n) {
    var name = componentSchemaName(n.ref);
    if (name !== null && spec.components && isObj(spec.components.schemas) && hasOwn(spec.components.schemas, name)) {
      return el('a', { class: 'type-ref', href: '#' + schemaAnchor(name) }, name);
    }
    return el('span', { class: 'type-ref' }, n.refName || String(n.ref));
  }

  /** Cheap check (no recursion) whether a node would have child rows. */
  function expandable(n) {
    if (n.broken || n.boolean !== null) return false;
    return isObjectLike(n) || !!n.comb || (n.types.indexOf('array') !== -1 && (isObj(n.s.items) || Array.isArray(n.s.prefixItems)));
  }

  function isObjectLike(n) {
    return n.types.indexOf('object') !== -1 || isObj(n.s.properties) || Array.isArray(n.s.allOf);
  }

  /**
   * Child rows of a schema node: properties (merging allOf), additionalProperties,
   * array items (flattened when the items are objects) and oneOf/anyOf variants.
   * Each row carries the set of $refs on its path, to stop at cycles.
   */
  function childRows(n, stack, depth) {
    var rows = [];
    if (n.broken || n.boolean !== null || depth > MAX_DEPTH) return rows;
    var s = n.s;
    var seenProps = Object.create(null);

    function pushRow(row) {
      if (row.kind === 'prop') {
        if (seenProps[row.name]) {
          // later definition (e.g. an override next to allOf) replaces the earlier one
          for (var j = 0; j < rows.length; j++) if (rows[j].kind === 'prop' && rows[j].name === row.name) rows.splice(j, 1);
        }
        seenProps[row.name] = true;
      }
      rows.push(row);
    }

    if (Array.isArray(s.allOf)) {
      s.allOf.forEach(function (m, i) {
        var mn = normalize(m);
        if (mn.ref && stack.has(mn.ref)) {
          pushRow({ name: 'all of #' + (i + 1), schema: m, kind: 'part', stack: stack });
        } else if (!mn.comb && isObjectLike(mn)) {
          childRows(mn, withRef(stack, mn.ref), depth + 1).forEach(function (r) {
            if (r.kind === 'prop' && r.required === false && Array.isArray(s.required) && s.required.indexOf(r.name) !== -1) r.required = true;
            pushRow(r);
          });
        } else {
          pushRow({ name: 'all of #' + (i + 1), schema: m, kind: 'part', stack: stack });
        }
      });
    }

    var required = Array.isArray(s.required) ? s.required : [];
    if (isObj(s.properties)) {
      Object.keys(s.properties).forEach(function (k) {
        pushRow({ name: k, schema: s.properties[k], required: required.indexOf(k) !== -1, kind: 'prop', stack: stack });
      });
    }
    if (isObj(s.patternProperties)) {
      Object.keys(s.patternProperties).forEach(function (k) {
        pushRow({ name: '/' + k + '/', schema: s.patternProperties[k], kind: 'pattern', stack: stack });
      });
    }
    if (isObj(s.additionalProperties) && (isObj(s.properties) || expandable(normalize(s.additionalProperties)))) {
      pushRow({ name: '[key: string]', schema: s.additionalProperties, kind: 'additional', stack: stack });
    }

    if (n.types.indexOf('array') !== -1) {
      if (Array.isArray(s.prefixItems)) {
        s.prefixItems.forEach(function (m, i) { pushRow({ name: '[' + i + ']', schema: m, kind: 'item', stack: stack }); });
      }
      if (isObj(s.items)) {
        var it = normalize(s.items);
        if (it.ref && stack.has(it.ref)) {
          // recursive item type: the row that owns this array is marked recursive instead
        } else if (it.comb || Array.isArray(s.prefixItems)) {
          pushRow({ name: '[ ]', schema: s.items, kind: 'item', stack: stack });
        } else {
          childRows(it, withRef(stack, it.ref), depth + 1).forEach(pushRow);
        }
      }
    }

    if (n.comb) {
      var word = n.comb === 'oneOf' ? 'one of' : 'any of';
      n.members.forEach(function (m, i) {
        var title = isObj(m) && !m.$ref && typeof m.title === 'string' ? ': ' + m.title : '';
        pushRow({ name: word + ' #' + (i + 1) + title, schema: m, kind: 'variant', stack: stack });
      });
    }
    return rows;
  }

  /** Constraint/enum/default/example chips for a schema node. */
  function schemaFacts(n) {
    var s = n.s;
    var box = el('div', { class: 'facts' });
    function chip(label, value, cls) {
      box.appendChild(el('span', { class: 'chip' + (cls ? ' ' + cls : '') },
        el('span', { class: 'chip-label', text: label }), ' ',
        el('code', { text: value })));
    }
    function constraints(t, prefix) {
      prefix = prefix || '';
      if (t.minLength !== undefined) chip(prefix + 'minLength', String(t.minLength));
      if (t.maxLength !== undefined) chip(prefix + 'maxLength', String(t.maxLength));
      if (t.pattern !== undefined) chip(prefix + 'pattern', String(t.pattern));
      if (t.minimum !== undefined) chip(prefix + (t.exclusiveMinimum === true ? 'minimum (exclusive)' : 'minimum'), String(t.minimum));
      if (typeof t.exclusiveMinimum === 'number') chip(prefix + 'exclusiveMinimum', String(t.exclusiveMinimum));
      if (t.maximum !== undefined) chip(prefix + (t.exclusiveMaximum === true ? 'maximum (exclusive)' : 'maximum'), String(t.maximum));
      if (typeof t.exclusiveMaximum === 'number') chip(prefix + 'exclusiveMaximum', String(t.exclusiveMaximum));
      if (t.multipleOf !== undefined) chip(prefix + 'multipleOf', String(t.multipleOf));
      if (t.minItems !== undefined) chip(prefix + 'minItems', String(t.minItems));
      if (t.maxItems !== undefined) chip(prefix + 'maxItems', String(t.maxItems));
      if (t.uniqueItems === true) chip(prefix + 'uniqueItems', 'true');
      if (t.minProperties !== undefined) chip(prefix + 'minProperties', String(t.minProperties));
      if (t.maxProperties !== undefined) chip(prefix + 'maxProperties', String(t.maxProperties));
      if (t.contentMediaType !== undefined) chip(prefix + 'contentMediaType', String(t.contentMediaType));
      if (t.contentEncoding !== undefined) chip(prefix + 'contentEncoding', String(t.contentEncoding));
    }
    function enumValues(values, label) {
      var wrap = el('span', { class: 'enum' }, el('span', { class: 'chip-label', text: label }), ' ');
      values.forEach(function (v, i) {
        if (i > 0) wrap.appendChild(text(' '));
        wrap.appendChild(el('code', { class: 'enum-value', text: typeof v === 'string' ? v : jsonInline(v) }));
      });
      box.appendChild(wrap);
    }
    constraints(s);
    if (Array.isArray(s.enum)) enumValues(s.enum, 'Allowed values:');
    if (n.types.indexOf('array') !== -1 && isObj(s.items)) {
      var it = normalize(s.items);
      if (!it.refName) {
        constraints(it.s, 'items ');
        if (Array.isArray(it.s.enum)) enumValues(it.s.enum, 'Allowed item values:');
        if (it.s.format && !n.s.format) { /* format already shown in the type label */ }
      }
    }
    if (hasOwn(n.ann, 'default')) chip('default', jsonInline(n.ann['default']));
    if (isObj(s.discriminator) && s.discriminator.propertyName) chip('discriminator', String(s.discriminator.propertyName));
    return box.childNodes.length ? box : null;
  }

  function exampleBlock(value, label) {
    var t = jsonText(value);
    if (t.length <= 60 && t.indexOf('\n') === -1) {
      return el('div', { class: 'example-inline' },
        el('span', { class: 'chip-label', text: (label || 'Example') + ':' }), ' ', el('code', { text: t }));
    }
    return el('div', { class: 'example' },
      el('p', { class: 'example-label', text: label || 'Example' }),
      el('pre', { class: 'code-block' }, el('code', { text: t })));
  }

  function schemaExamples(n) {
    var out = [];
    if (hasOwn(n.ann, 'example')) out.push(exampleBlock(n.ann.example));
    if (Array.isArray(n.ann.examples)) {
      n.ann.examples.forEach(function (ex, i) {
        out.push(exampleBlock(ex, n.ann.examples.length > 1 ? 'Example ' + (i + 1) : 'Example'));
      });
    }
    return out;
  }

  /** Description, facts and examples under a row or a tree root. */
  function schemaDoc(n, opts) {
    opts = opts || {};
    var doc = el('div', { class: 'prop-doc' });
    if (n.ann.title && opts.showTitle) doc.appendChild(el('p', { class: 'schema-title', text: n.ann.title }));
    if (n.ann.description) doc.appendChild(markdown(n.ann.description));
    var facts = schemaFacts(n);
    if (facts) doc.appendChild(facts);
    add(doc, schemaExamples(n));
    if (opts.cyclic) {
      var name = componentSchemaName(opts.cyclic);
      doc.appendChild(el('p', { class: 'note' },
        'Recursive reference',
        name !== null ? [' to ', el('a', { href: '#' + schemaAnchor(name) }, name)] : '',
        ' — not expanded again here.'));
    }
    if (isObj(n.ann.externalDocs) && n.ann.externalDocs.url) {
      doc.appendChild(el('p', null, link(n.ann.externalDocs.url, n.ann.externalDocs.description || n.ann.externalDocs.url)));
    }
    return doc.childNodes.length ? doc : null;
  }

  function badge(label, cls) {
    return el('span', { class: 'badge ' + cls, text: label });
  }

  function stateBadges(target, n, required) {
    if (required) target.appendChild(badge('required', 'badge-required'));
    if (n.nullable) target.appendChild(badge('nullable', 'badge-nullable'));
    if (n.ann.deprecated) target.appendChild(badge('deprecated', 'badge-deprecated'));
    if (n.ann.readOnly) target.appendChild(badge('read-only', 'badge-flag'));
    if (n.ann.writeOnly) target.appendChild(badge('write-only', 'badge-flag'));
  }

  function renderRows(rows, depth) {
    var ul = el('ul', { class: 'props' });
    rows.forEach(function (r) { ul.appendChild(renderRow(r, depth)); });
    return ul;
  }

  /** The $ref that closes a cycle at this node (the node itself, or the items of a (nested) array). */
  function cycleRef(n, stack) {
    for (var i = 0; i < 8 && n; i++) {
      if (n.ref && stack.has(n.ref)) return n.ref;
      if (n.types.indexOf('array') === -1 || !isObj(n.s.items)) return null;
      stack = withRef(stack, n.ref);
      n = normalize(n.s.items);
    }
    return null;
  }

  function renderRow(row, depth) {
    var n = normalize(row.schema);
    var loopRef = cycleRef(n, row.stack);
    var cyclic = !!loopRef;
    var kids = cyclic ? [] : childRows(n, withRef(row.stack, n.ref), depth + 1);
    var li = el('li', { class: 'prop prop-' + row.kind });
    var head = el('div', { class: 'prop-head' });
    var name = el('code', { class: 'prop-name', text: row.name });
    var box = null;
    if (kids.length && depth < MAX_DEPTH) {
      box = el('div', { class: 'prop-children', id: uid('tree'), hidden: true });
      var toggle = el('button', {
        type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-controls': box.id
      }, el('span', { class: 'chev', 'aria-hidden': 'true' }), name,
      el('span', { class: 'visually-hidden', text: ' (' + kids.length + ' nested field' + (kids.length === 1 ? '' : 's') + ')' }));
      toggle.addEventListener('click', function () {
        var open = toggle.getAttribute('aria-expanded') !== 'true';
        if (open && !box.hasChildNodes()) box.appendChild(renderRows(kids, depth + 1));
        toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
        box.hidden = !open;
      });
      head.appendChild(toggle);
    } else {
      head.appendChild(el('span', { class: 'chev-spacer', 'aria-hidden': 'true' }));
      head.appendChild(name);
    }
    head.appendChild(typeLabel(n));
    stateBadges(head, n, row.required);
    if (cyclic) head.appendChild(badge('recursive', 'badge-flag'));
    li.appendChild(head);
    var doc = schemaDoc(n, { cyclic: loopRef });
    if (doc) li.appendChild(doc);
    if (box) li.appendChild(box);
    return li;
  }

  /** A schema rendered as a tree: root line, root docs, first level of fields expanded. */
  function schemaTree(schema, opts) {
    opts = opts || {};
    var n = normalize(schema);
    var wrap = el('div', { class: 'schema' });
    var head = el('div', { class: 'schema-head' });
    if (n.refName && !opts.hideName) {
      head.appendChild(refLink(n));
      head.appendChild(el('span', { class: 'schema-sep', text: ' · ', 'aria-hidden': 'true' }));
    }
    head.appendChild(typeLabel(n, { structural: true }));
    stateBadges(head, n, false);
    wrap.appendChild(head);
    if (!opts.hideDoc) {
      var doc = schemaDoc(n, { showTitle: !opts.hideName });
      if (doc) wrap.appendChild(doc);
    } else {
      var facts = schemaFacts(n);
      if (facts) wrap.appendChild(facts);
      add(wrap, schemaExamples(n));
    }
    var rows = childRows(n, withRef(new Set(), n.ref), 0);
    if (rows.length) wrap.appendChild(renderRows(rows, 0));
    return wrap;
  }

  /* ------------------------------------------------------------------ anchors */

  function schemaAnchor(name) {
    return 'schema-' + slug(name);
  }
  function schemeAnchor(name) {
    return 'security-' + slug(name);
  }
  function tagAnchor(name) {
    return 'tag-' + slug(name);
  }

  /* ------------------------------------------------------------------ document model */

  function collectOperations() {
    var ops = [];
    var paths = isObj(spec.paths) ? spec.paths : {};
    Object.keys(paths).forEach(function (path) {
      var item = deref(paths[path]);
      HTTP_METHODS.forEach(function (method) {
        if (!isObj(item[method])) return;
        var op = item[method];
        var tags = Array.isArray(op.tags) && op.tags.length ? op.tags.map(String) : ['default'];
        var base = op.operationId ? 'op-' + op.operationId : 'op-' + method + '-' + slug(path);
        ops.push({
          path: path, method: method, op: op, item: item, tags: tags,
          id: uniqueId(base)
        });
      });
    });
    return ops;
  }

  function groupByTag(ops) {
    var order = [];
    var meta = Object.create(null);
    if (Array.isArray(spec.tags)) {
      spec.tags.forEach(function (t) {
        if (isObj(t) && t.name && !meta[t.name]) { meta[t.name] = t; order.push(t.name); }
      });
    }
    var byTag = Object.create(null);
    ops.forEach(function (o) {
      o.tags.forEach(function (t) {
        if (!byTag[t]) byTag[t] = [];
        byTag[t].push(o);
        if (!meta[t]) { meta[t] = { name: t }; order.push(t); }
      });
    });
    return order.filter(function (t) { return byTag[t] && byTag[t].length; }).map(function (t) {
      return { name: t, meta: meta[t], ops: byTag[t], id: uniqueId(tagAnchor(t)) };
    });
  }

  function methodBadge(method, extra) {
    return el('span', { class: 'method method-' + method + (extra ? ' ' + extra : ''), text: method.toUpperCase() });
  }

  /** Path text for the navigation, with line-break opportunities after each slash. */
  function breakablePath(path) {
    var span = el('span', { class: 'nav-path' });
    String(path).split('/').forEach(function (part, i) {
      if (i > 0) { span.appendChild(text('/')); if (part) span.appendChild(el('wbr')); }
      if (part) span.appendChild(text(part));
    });
    return span;
  }

  function pathNode(path) {
    var code = el('code', { class: 'path' });
    String(path).split(/(\{[^}]+\})/).forEach(function (part) {
      if (!part) return;
      if (/^\{[^}]+\}$/.test(part)) code.appendChild(el('span', { class: 'path-param', text: part }));
      else code.appendChild(text(part));
    });
    return code;
  }

  /* ------------------------------------------------------------------ rendering: overview */

  function renderOverview() {
    var info = isObj(spec.info) ? spec.info : {};
    var sec = el('section', { class: 'overview', id: 'overview', 'aria-labelledby': 'doc-title', tabindex: '-1' });
    var title = el('h1', { id: 'doc-title', text: info.title || 'API reference' });
    sec.appendChild(title);
    var meta = el('p', { class: 'doc-meta' });
    if (info.version !== undefined) meta.appendChild(el('span', { class: 'pill' }, 'Version ', el('strong', { text: String(info.version) })));
    if (spec.openapi) meta.appendChild(el('span', { class: 'pill' }, 'OpenAPI ', el('strong', { text: String(spec.openapi) })));
    meta.appendChild(el('a', { class: 'pill pill-link', href: SPEC_URL, download: 'openapi.json' }, 'Download OpenAPI document'));
    sec.appendChild(meta);
    if (info.summary) sec.appendChild(el('p', { class: 'lead', text: info.summary }));
    if (info.description) sec.appendChild(markdown(info.description, 'doc-description'));

    var facts = el('dl', { class: 'info-list' });
    function fact(label, value) {
      facts.appendChild(el('dt', { text: label }));
      facts.appendChild(el('dd', null, value));
    }
    if (isObj(info.contact)) {
      var c = info.contact;
      var parts = [];
      if (c.name) parts.push(text(c.name));
      if (c.email) parts.push(link('mailto:' + c.email, c.email));
      if (c.url) parts.push(link(c.url, c.url));
      if (parts.length) fact('Contact', joinNodes(parts, ' · '));
    }
    if (isObj(info.license) && info.license.name) {
      var lic = info.license.url ? link(info.license.url, info.license.name) : text(info.license.name);
      fact('License', [lic, info.license.identifier ? ' (' + info.license.identifier + ')' : '']);
    }
    if (info.termsOfService) fact('Terms of service', link(info.termsOfService, info.termsOfService));
    if (isObj(spec.externalDocs) && spec.externalDocs.url) {
      fact('Documentation', link(spec.externalDocs.url, spec.externalDocs.description || spec.externalDocs.url));
    }
    if (facts.childNodes.length) sec.appendChild(facts);

    sec.appendChild(renderServers(spec.servers, 'h2'));
    return sec;
  }

  function renderServers(servers, hTag) {
    var wrap = el('div', { class: 'servers' });
    if (!Array.isArray(servers) || !servers.length) {
      wrap.appendChild(el(hTag, { text: 'Server' }));
      wrap.appendChild(el('p', null, 'Requests go to the origin serving this page: ', el('code', { text: window.location.origin })));
      return wrap;
    }
    wrap.appendChild(el(hTag, { text: servers.length === 1 ? 'Server' : 'Servers' }));
    var ul = el('ul', { class: 'server-list' });
    servers.forEach(function (sv) {
      if (!isObj(sv) || typeof sv.url !== 'string') return;
      var li = el('li', { class: 'server' });
      var line = el('div', { class: 'server-url' }, el('code', { text: sv.url }));
      if (!/^[a-z][a-z0-9+.-]*:/i.test(sv.url) && sv.url.indexOf('{') === -1) {
        var resolved;
        try { resolved = new URL(sv.url, window.location.origin).href; } catch (e) { resolved = null; }
        if (resolved && resolved !== sv.url) line.appendChild(el('span', { class: 'muted' }, ' → ', el('code', { text: resolved })));
      }
      li.appendChild(line);
      if (sv.description) li.appendChild(markdown(sv.description));
      if (isObj(sv.variables) && Object.keys(sv.variables).length) {
        var vars = el('ul', { class: 'server-vars' });
        Object.keys(sv.variables).forEach(function (k) {
          var v = sv.variables[k] || {};
          var vli = el('li', null, el('code', { text: '{' + k + '}' }), ' default ', el('code', { text: String(v['default']) }));
          if (Array.isArray(v.enum)) vli.appendChild(el('span', { class: 'muted' }, ' — one of ', joinNodes(v.enum.map(function (e) { return el('code', { text: String(e) }); }), ', ')));
          if (v.description) vli.appendChild(markdown(v.description));
          vars.appendChild(vli);
        });
        li.appendChild(vars);
      }
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }

  function renderSecuritySchemes() {
    var schemes = spec.components && isObj(spec.components.securitySchemes) ? spec.components.securitySchemes : {};
    var names = Object.keys(schemes);
    var sec = el('section', { class: 'auth', id: 'authentication', 'aria-labelledby': 'authentication-title', tabindex: '-1' });
    sec.appendChild(el('h2', { id: 'authentication-title', text: 'Authentication' }));
    if (!names.length) {
      sec.appendChild(el('p', { class: 'muted', text: 'This API declares no security schemes.' }));
      return sec;
    }
    var global = Array.isArray(spec.security) ? spec.security : null;
    if (global) {
      sec.appendChild(el('p', null, 'Default for every operation unless it says otherwise: ', renderSecurityReq(global)));
    }
    names.forEach(function (name) {
      var s = deref(schemes[name]);
      var card = el('div', { class: 'card scheme', id: uniqueId(schemeAnchor(name)), tabindex: '-1' });
      card.appendChild(el('h3', null, el('code', { text: name })));
      var dl = el('dl', { class: 'kv' });
      function kv(k, v) {
        if (v === undefined || v === null || v === '') return;
        dl.appendChild(el('dt', { text: k }));
        dl.appendChild(el('dd', null, v instanceof Node ? v : el('code', { text: String(v) })));
      }
      var typeText = { http: 'HTTP authentication', apiKey: 'API key', oauth2: 'OAuth 2.0', openIdConnect: 'OpenID Connect', mutualTLS: 'Mutual TLS' }[s.type] || s.type;
      kv('Type', el('span', { text: typeText || 'unknown' }));
      if (s.type === 'http') {
        kv('Scheme', s.scheme);
        kv('Bearer format', s.bearerFormat);
        if (String(s.scheme).toLowerCase() === 'bearer') {
          kv('Send as', el('code', { text: 'Authorization: Bearer <token>' }));
        } else if (String(s.scheme).toLowerCase() === 'basic') {
          kv('Send as', el('code', { text: 'Authorization: Basic <base64(user:password)>' }));
        }
      }
      if (s.type === 'apiKey') {
        kv('Location', s['in']);
        kv('Name', s.name);
      }
      if (s.type === 'openIdConnect' && s.openIdConnectUrl) kv('Discovery', link(s.openIdConnectUrl, s.openIdConnectUrl));
      if (s.type === 'oauth2' && isObj(s.flows)) {
        Object.keys(s.flows).forEach(function (flowName) {
          var f = s.flows[flowName] || {};
          var box = el('div', { class: 'flow' });
          if (f.authorizationUrl) box.appendChild(el('div', null, 'Authorization URL ', el('code', { text: f.authorizationUrl })));
          if (f.tokenUrl) box.appendChild(el('div', null, 'Token URL ', el('code', { text: f.tokenUrl })));
          if (f.refreshUrl) box.appendChild(el('div', null, 'Refresh URL ', el('code', { text: f.refreshUrl })));
          if (isObj(f.scopes) && Object.keys(f.scopes).length) {
            var sl = el('ul', { class: 'scopes' });
            Object.keys(f.scopes).forEach(function (sc) { sl.appendChild(el('li', null, el('code', { text: sc }), ' — ', String(f.scopes[sc]))); });
            box.appendChild(sl);
          }
          kv('Flow: ' + flowName, box);
        });
      }
      card.appendChild(dl);
      if (s.description) card.appendChild(markdown(s.description));
      sec.appendChild(card);
    });
    return sec;
  }

  /** Security requirement list: alternatives are OR, schemes inside one requirement are AND. */
  function renderSecurityReq(reqs) {
    var wrap = el('span', { class: 'security-req' });
    if (!Array.isArray(reqs) || !reqs.length) {
      wrap.appendChild(badge('none', 'badge-public'));
      wrap.appendChild(text(' no authentication required'));
      return wrap;
    }
    var alts = reqs.map(function (req) {
      if (!isObj(req) || !Object.keys(req).length) return el('span', { class: 'muted', text: 'anonymous' });
      var all = Object.keys(req).map(function (name) {
        var known = spec.components && isObj(spec.components.securitySchemes) && hasOwn(spec.components.securitySchemes, name);
        var node = el('span', { class: 'sec-item' },
          known ? el('a', { href: '#' + schemeAnchor(name) }, el('code', { text: name })) : el('code', { text: name }));
        var scopes = Array.isArray(req[name]) ? req[name] : [];
        if (scopes.length) {
          node.appendChild(text(' scopes: '));
          add(node, joinNodes(scopes.map(function (sc) { return el('code', { class: 'scope', text: String(sc) }); }), ', '));
        }
        return node;
      });
      return el('span', null, joinNodes(all, ' and '));
    });
    add(wrap, joinNodes(alts, ' or '));
    return wrap;
  }

  /* ------------------------------------------------------------------ rendering: operations */

  function mergedParameters(entry) {
    var list = [];
    var index = Object.create(null);
    function push(p) {
      var r = deref(p);
      var key = (r['in'] || '') + ':' + (r.name || '');
      if (index[key] !== undefined) list[index[key]] = r;
      else { index[key] = list.length; list.push(r); }
    }
    if (Array.isArray(entry.item.parameters)) entry.item.parameters.forEach(push);
    if (Array.isArray(entry.op.parameters)) entry.op.parameters.forEach(push);
    var order = { path: 0, query: 1, header: 2, cookie: 3 };
    return list.map(function (p, i) { return { p: p, i: i }; }).sort(function (a, b) {
      var d = (order[a.p['in']] !== undefined ? order[a.p['in']] : 9) - (order[b.p['in']] !== undefined ? order[b.p['in']] : 9);
      return d || a.i - b.i;
    }).map(function (x) { return x.p; });
  }

  function paramSchema(p) {
    if (p.schema !== undefined) return p.schema;
    if (isObj(p.content)) {
      var k = Object.keys(p.content)[0];
      if (k && isObj(p.content[k])) return p.content[k].schema;
    }
    return undefined;
  }

  function renderParameters(params) {
    var wrap = el('div', { class: 'block' });
    wrap.appendChild(el('h4', { text: 'Parameters' }));
    var table = el('table', { class: 'params' });
    table.appendChild(el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'Name' }),
      el('th', { scope: 'col', text: 'In' }),
      el('th', { scope: 'col', text: 'Required' }),
      el('th', { scope: 'col', text: 'Type' }),
      el('th', { scope: 'col', text: 'Description' }))));
    var tbody = el('tbody');
    params.forEach(function (p) {
      if (p.$unresolved) {
        tbody.appendChild(el('tr', null, el('td', { colspan: '5', class: 'type-broken', text: 'unresolved ' + p.$unresolved })));
        return;
      }
      var n = normalize(paramSchema(p));
      var required = p.required === true || p['in'] === 'path';
      var nameCell = el('td', { 'data-label': 'Name' }, el('code', { class: 'param-name', text: String(p.name) }));
      if (p.deprecated) nameCell.appendChild(badge('deprecated', 'badge-deprecated'));
      var typeCell = el('td', { 'data-label': 'Type' }, typeLabel(n));
      if (n.nullable) typeCell.appendChild(badge('nullable', 'badge-nullable'));
      var descCell = el('td', { 'data-label': 'Description' });
      if (p.description) descCell.appendChild(markdown(p.description));
      else if (n.ann.description) descCell.appendChild(markdown(n.ann.description));
      var facts = schemaFacts(n);
      if (facts) descCell.appendChild(facts);
      if (p.style || p.explode !== undefined) {
        var st = [];
        if (p.style) st.push('style ' + p.style);
        if (p.explode !== undefined) st.push('explode ' + p.explode);
        descCell.appendChild(el('p', { class: 'muted small', text: st.join(', ') }));
      }
      if (p.example !== undefined) descCell.appendChild(exampleBlock(p.example));
      else if (isObj(p.examples)) {
        Object.keys(p.examples).forEach(function (k) {
          var ex = deref(p.examples[k]);
          if (ex.value !== undefined) descCell.appendChild(exampleBlock(ex.value, ex.summary || k));
        });
      } else add(descCell, schemaExamples(n));
      tbody.appendChild(el('tr', null,
        nameCell,
        el('td', { 'data-label': 'In', text: String(p['in'] || '') }),
        el('td', { 'data-label': 'Required' }, required ? badge('required', 'badge-required') : el('span', { class: 'muted', text: 'optional' })),
        typeCell,
        descCell));
    });
    table.appendChild(tbody);
    wrap.appendChild(el('div', { class: 'table-wrap' }, table));
    return wrap;
  }

  function renderExamples(media) {
    var out = [];
    if (media.example !== undefined) out.push(exampleBlock(media.example));
    if (isObj(media.examples)) {
      Object.keys(media.examples).forEach(function (k) {
        var ex = deref(media.examples[k]);
        var label = 'Example: ' + (ex.summary || k);
        if (ex.value !== undefined) {
          var block = exampleBlock(ex.value, label);
          if (ex.description) block.appendChild(markdown(ex.description));
          out.push(block);
        } else if (ex.externalValue) {
          out.push(el('p', { class: 'example-label' }, label + ' — ', link(ex.externalValue, ex.externalValue)));
        }
      });
    }
    return out;
  }

  function renderContent(content) {
    var wrap = el('div', { class: 'media-list' });
    Object.keys(content).forEach(function (type) {
      var media = isObj(content[type]) ? content[type] : {};
      var box = el('div', { class: 'media' });
      box.appendChild(el('p', { class: 'media-type' }, el('span', { class: 'chip-label', text: 'Content type' }), ' ', el('code', { text: type })));
      if (media.schema !== undefined) box.appendChild(schemaTree(media.schema));
      add(box, renderExamples(media));
      if (isObj(media.encoding) && Object.keys(media.encoding).length) {
        var enc = el('ul', { class: 'encoding' });
        Object.keys(media.encoding).forEach(function (k) {
          var e = media.encoding[k] || {};
          enc.appendChild(el('li', null, el('code', { text: k }), e.contentType ? [' as ', el('code', { text: e.contentType })] : ''));
        });
        box.appendChild(el('div', null, el('p', { class: 'example-label', text: 'Encoding' }), enc));
      }
      wrap.appendChild(box);
    });
    return wrap;
  }

  function renderRequestBody(rb) {
    var body = deref(rb);
    var wrap = el('div', { class: 'block' });
    var h = el('h4', null, 'Request body');
    if (body.required) h.appendChild(badge('required', 'badge-required'));
    else h.appendChild(badge('optional', 'badge-optional'));
    wrap.appendChild(h);
    if (body.$unresolved) wrap.appendChild(el('p', { class: 'type-broken', text: 'unresolved ' + body.$unresolved }));
    if (body.description) wrap.appendChild(markdown(body.description));
    if (isObj(body.content) && Object.keys(body.content).length) wrap.appendChild(renderContent(body.content));
    return wrap;
  }

  function statusClass(code) {
    var c = String(code).charAt(0);
    if (c === '2') return 'status-2xx';
    if (c === '3') return 'status-3xx';
    if (c === '4') return 'status-4xx';
    if (c === '5') return 'status-5xx';
    return 'status-other';
  }

  function renderResponses(responses) {
    var wrap = el('div', { class: 'block' });
    wrap.appendChild(el('h4', { text: 'Responses' }));
    var codes = Object.keys(responses).sort(function (a, b) {
      if (a === 'default') return 1;
      if (b === 'default') return -1;
      return a.localeCompare(b);
    });
    codes.forEach(function (code) {
      var r = deref(responses[code]);
      var firstLine = r.description ? String(r.description).trim().split('\n')[0] : '';
      var types = isObj(r.content) ? Object.keys(r.content) : [];
      var hasHeaders = isObj(r.headers) && Object.keys(r.headers).length > 0;
      var hasLinks = isObj(r.links) && Object.keys(r.links).length > 0;
      var moreText = r.description && String(r.description).trim() !== firstLine.trim();
      var simple = !types.length && !hasHeaders && !hasLinks && !moreText && !r.$unresolved;
      var det = el(simple ? 'div' : 'details', { class: 'response ' + statusClass(code) + (simple ? ' response-simple' : '') });
      if (!simple && String(code).charAt(0) === '2') det.open = true;
      var statusLabel = STATUS_TEXT[code] || (code === 'default' ? 'Any other status' : /^\dXX$/i.test(code) ? 'Any ' + code.toUpperCase() : '');
      var sum = el(simple ? 'div' : 'summary', { class: 'response-summary' },
        el('span', { class: 'status ' + statusClass(code), text: String(code) }),
        el('span', { class: 'status-text', text: statusLabel }));
      if (firstLine && firstLine !== statusLabel) sum.appendChild(el('span', { class: 'response-desc', text: firstLine.replace(/[`*]/g, '') }));
      if (simple) sum.appendChild(el('span', { class: 'response-types muted small', text: 'no body' }));
      if (types.length) sum.appendChild(el('span', { class: 'response-types' }, joinNodes(types.map(function (t) { return el('code', { text: t }); }), ' ')));
      det.appendChild(sum);
      if (simple) { wrap.appendChild(det); return; }
      var body = el('div', { class: 'response-body' });
      if (r.$unresolved) body.appendChild(el('p', { class: 'type-broken', text: 'unresolved ' + r.$unresolved }));
      if (moreText) body.appendChild(markdown(r.description));
      if (hasHeaders) body.appendChild(renderHeaders(r.headers));
      if (types.length) body.appendChild(renderContent(r.content));
      else body.appendChild(el('p', { class: 'muted small', text: 'No response body.' }));
      if (hasLinks) {
        body.appendChild(el('p', { class: 'muted small' }, 'Links: ', joinNodes(Object.keys(r.links).map(function (k) { return el('code', { text: k }); }), ', ')));
      }
      det.appendChild(body);
      wrap.appendChild(det);
    });
    return wrap;
  }

  function renderHeaders(headers) {
    var box = el('div', { class: 'headers' });
    box.appendChild(el('p', { class: 'example-label', text: 'Headers' }));
    var table = el('table', { class: 'params' });
    table.appendChild(el('thead', null, el('tr', null,
      el('th', { scope: 'col', text: 'Name' }),
      el('th', { scope: 'col', text: 'Type' }),
      el('th', { scope: 'col', text: 'Description' }))));
    var tbody = el('tbody');
    Object.keys(headers).forEach(function (name) {
      var h = deref(headers[name]);
      var n = normalize(paramSchema(h));
      var nameCell = el('td', { 'data-label': 'Name' }, el('code', { class: 'param-name', text: name }));
      if (h.required) nameCell.appendChild(badge('always', 'badge-required'));
      var desc = el('td', { 'data-label': 'Description' });
      if (h.description) desc.appendChild(markdown(h.description));
      var facts = schemaFacts(n);
      if (facts) desc.appendChild(facts);
      if (h.example !== undefined) desc.appendChild(exampleBlock(h.example));
      tbody.appendChild(el('tr', null, nameCell, el('td', { 'data-label': 'Type' }, typeLabel(n)), desc));
    });
    table.appendChild(tbody);
    box.appendChild(el('div', { class: 'table-wrap' }, table));
    return box;
  }

  function renderOperation(entry) {
    var op = entry.op;
    var sec = el('section', { class: 'operation' + (op.deprecated ? ' is-deprecated' : ''), id: entry.id, 'aria-labelledby': entry.id + '-title', tabindex: '-1' });
    var h = el('h3', { class: 'op-title', id: entry.id + '-title' },
      methodBadge(entry.method), ' ', pathNode(entry.path));
    var anchor = el('a', { class: 'anchor', href: '#' + entry.id }, el('span', { 'aria-hidden': 'true', text: '#' }),
      el('span', { class: 'visually-hidden', text: 'Link to ' + entry.method.toUpperCase() + ' ' + entry.path }));
    var header = el('div', { class: 'op-header' }, h, anchor);
    sec.appendChild(header);
    if (op.summary) sec.appendChild(el('p', { class: 'op-summary', text: op.summary }));
    if (op.deprecated) sec.appendChild(el('p', { class: 'deprecation' }, badge('deprecated', 'badge-deprecated'), ' This operation is deprecated.'));

    var meta = el('dl', { class: 'op-meta' });
    if (op.operationId) {
      meta.appendChild(el('dt', { text: 'Operation ID' }));
      meta.appendChild(el('dd', null, el('code', { text: op.operationId })));
    }
    meta.appendChild(el('dt', { text: 'Authentication' }));
    meta.appendChild(el('dd', null, renderSecurityReq(Array.isArray(op.security) ? op.security : (Array.isArray(spec.security) ? spec.security : []))));
    if (entry.tags.length > 1) {
      meta.appendChild(el('dt', { text: 'Tags' }));
      meta.appendChild(el('dd', null, joinNodes(entry.tags.map(function (t) { return el('span', { text: t }); }), ', ')));
    }
    if (Array.isArray(op.servers) && op.servers.length) {
      meta.appendChild(el('dt', { text: 'Servers' }));
      meta.appendChild(el('dd', null, joinNodes(op.servers.map(function (s) { return el('code', { text: String(s.url) }); }), ', ')));
    }
    sec.appendChild(meta);

    var desc = op.description || (entry.item.description !== undefined ? entry.item.description : '');
    if (desc) sec.appendChild(markdown(desc, 'op-description'));
    if (isObj(op.externalDocs) && op.externalDocs.url) {
      sec.appendChild(el('p', null, link(op.externalDocs.url, op.externalDocs.description || 'More documentation')));
    }

    var params = mergedParameters(entry);
    if (params.length) sec.appendChild(renderParameters(params));
    if (op.requestBody !== undefined) sec.appendChild(renderRequestBody(op.requestBody));
    if (isObj(op.responses) && Object.keys(op.responses).length) sec.appendChild(renderResponses(op.responses));
    if (isObj(op.callbacks) && Object.keys(op.callbacks).length) {
      sec.appendChild(el('p', { class: 'muted small' }, 'Callbacks: ', joinNodes(Object.keys(op.callbacks).map(function (k) { return el('code', { text: k }); }), ', ')));
    }
    return sec;
  }

  function renderSchemas() {
    var schemas = spec.components && isObj(spec.components.schemas) ? spec.components.schemas : {};
    var names = Object.keys(schemas).sort(function (a, b) { return a.localeCompare(b); });
    if (!names.length) return null;
    var sec = el('section', { class: 'schemas', id: 'schemas', 'aria-labelledby': 'schemas-title', tabindex: '-1' });
    sec.appendChild(el('h2', { id: 'schemas-title', text: 'Schemas' }));
    names.forEach(function (name) {
      var id = schemaAnchor(name);
      usedIds[id] = true;
      var card = el('section', { class: 'card schema-card', id: id, 'aria-labelledby': id + '-title', tabindex: '-1' });
      var n = normalize({ $ref: '#/components/schemas/' + name.replace(/~/g, '~0').replace(/\//g, '~1') });
      card.appendChild(el('div', { class: 'op-header' },
        el('h3', { id: id + '-title', class: 'schema-name' }, el('code', { text: name })),
        el('a', { class: 'anchor', href: '#' + id }, el('span', { 'aria-hidden': 'true', text: '#' }), el('span', { class: 'visually-hidden', text: 'Link to schema ' + name }))));
      if (n.ann.title && n.ann.title !== name) card.appendChild(el('p', { class: 'schema-title', text: n.ann.title }));
      if (n.ann.description) card.appendChild(markdown(n.ann.description));
      card.appendChild(schemaTree({ $ref: '#/components/schemas/' + name.replace(/~/g, '~0').replace(/\//g, '~1') }, { hideName: true, hideDoc: true }));
      sec.appendChild(card);
    });
    return sec;
  }

  /* ------------------------------------------------------------------ navigation */

  var navEntries = [];
  var navLinksById = Object.create(null);

  function renderNav(groups) {
    var list = $('nav-list');
    list.textContent = '';
    navEntries = [];

    var top = el('ul', { class: 'nav-top' },
      el('li', null, el('a', { href: '#overview', class: 'nav-link' }, 'Overview')),
      el('li', null, el('a', { href: '#authentication', class: 'nav-link' }, 'Authentication')));
    list.appendChild(top);
    registerNavLink('overview', top.querySelector('a[href="#overview"]'));
    registerNavLink('authentication', top.querySelector('a[href="#authentication"]'));

    groups.forEach(function (g) {
      var headingId = uid('nav-group');
      var group = el('div', { class: 'nav-group' });
      group.appendChild(el('p', { class: 'nav-group-title', id: headingId },
        el('a', { href: '#' + g.id, class: 'nav-group-link', text: g.name })));
      registerNavLink(g.id, group.querySelector('a'));
      var ul = el('ul', { class: 'nav-ops', 'aria-labelledby': headingId });
      g.ops.forEach(function (o) {
        var a = el('a', { href: '#' + o.id, class: 'nav-op' + (o.op.deprecated ? ' is-deprecated' : ''), title: o.op.summary || null },
          methodBadge(o.method, 'method-sm'),
          breakablePath(o.path));
        var li = el('li', null, a);
        ul.appendChild(li);
        registerNavLink(o.id, a);
        navEntries.push({
          li: li, group: group,
          hay: [o.method, o.path, o.op.summary || '', o.op.operationId || '', g.name].join(' ').toLowerCase()
        });
      });
      group.appendChild(ul);
      list.appendChild(group);
    });

    var schemas = spec.components && isObj(spec.components.schemas) ? Object.keys(spec.components.schemas).sort(function (a, b) { return a.localeCompare(b); }) : [];
    if (schemas.length) {
      var sid = uid('nav-group');
      var sgroup = el('div', { class: 'nav-group' });
      sgroup.appendChild(el('p', { class: 'nav-group-title', id: sid }, el('a', { href: '#schemas', class: 'nav-group-link', text: 'Schemas' })));
      registerNavLink('schemas', sgroup.querySelector('a'));
      var sul = el('ul', { class: 'nav-ops nav-schemas', 'aria-labelledby': sid });
      schemas.forEach(function (name) {
        var a = el('a', { href: '#' + schemaAnchor(name), class: 'nav-op' }, el('span', { class: 'nav-path', text: name }));
        var li = el('li', null, a);
        sul.appendChild(li);
        registerNavLink(schemaAnchor(name), a);
        navEntries.push({ li: li, group: sgroup, hay: ('schema ' + name).toLowerCase() });
      });
      sgroup.appendChild(sul);
      list.appendChild(sgroup);
    }
    list.appendChild(el('p', { class: 'nav-empty', id: 'nav-empty', hidden: true, text: 'Nothing matches the filter.' }));
  }

  function registerNavLink(id, a) {
    if (a) navLinksById[id] = a;
  }

  function applyFilter() {
    var input = $('filter');
    var q = input.value.trim().toLowerCase();
    var tokens = q ? q.split(/\s+/) : [];
    var visibleGroups = new Set();
    var shown = 0;
    navEntries.forEach(function (e) {
      var ok = tokens.every(function (t) { return e.hay.indexOf(t) !== -1; });
      e.li.hidden = !ok;
      if (ok) { shown++; visibleGroups.add(e.group); }
    });
    document.querySelectorAll('#nav-list .nav-group').forEach(function (g) {
      g.hidden = tokens.length > 0 && !visibleGroups.has(g);
    });
    var top = document.querySelector('#nav-list .nav-top');
    if (top) top.hidden = tokens.length > 0;
    $('nav-empty').hidden = !(tokens.length && shown === 0);
    $('filter-status').textContent = tokens.length ? shown + ' of ' + navEntries.length + ' entries match' : '';
  }

  var currentId = null;
  function markCurrent(id) {
    if (currentId && navLinksById[currentId]) navLinksById[currentId].removeAttribute('aria-current');
    currentId = null;
    if (id && navLinksById[id]) {
      navLinksById[id].setAttribute('aria-current', 'location');
      currentId = id;
    }
  }

  function watchSections() {
    if (!('IntersectionObserver' in window)) return;
    var visible = new Map();
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) visible.set(e.target.id, e.target);
        else visible['delete'](e.target.id);
      });
      var best = null;
      visible.forEach(function (node) {
        if (!best || node.getBoundingClientRect().top < best.getBoundingClientRect().top) best = node;
      });
      if (best) {
        markCurrent(best.id);
        var a = navLinksById[best.id];
        var sidebar = $('sidebar');
        if (a && sidebar && sidebar.scrollHeight > sidebar.clientHeight + 4 && !document.body.classList.contains('nav-open')) {
          var r = a.getBoundingClientRect();
          var sr = sidebar.getBoundingClientRect();
          if (sr.height > 0 && (r.top < sr.top + 96 || r.bottom > sr.bottom - 24)) {
            sidebar.scrollTop += r.top - sr.top - sr.height / 3;
          }
        }
      }
    }, { rootMargin: '-64px 0px -65% 0px', threshold: 0 });
    document.querySelectorAll('.operation, .schema-card, #overview, #authentication').forEach(function (s) { io.observe(s); });
  }

  function targetFromHash() {
    var h = window.location.hash;
    if (!h || h.length < 2) return null;
    var id = h.slice(1);
    try { id = decodeURIComponent(id); } catch (e) { /* keep raw */ }
    return document.getElementById(id);
  }

  function goToHash() {
    var target = targetFromHash();
    if (!target) return;
    var closed = target.closest('details:not([open])');
    if (closed) closed.open = true;
    target.scrollIntoView({ block: 'start' });
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
    markCurrent(target.id);
  }

  function setNavOpen(open) {
    document.body.classList.toggle('nav-open', open);
    $('nav-toggle').setAttribute('aria-expanded', open ? 'true' : 'false');
  }

  function wireChrome() {
    var toggle = $('nav-toggle');
    toggle.addEventListener('click', function (e) {
      var open = !document.body.classList.contains('nav-open');
      setNavOpen(open);
      // keyboard activation (detail 0): move focus into the menu; on touch, don't pop up the keyboard
      if (open && e.detail === 0) $('filter').focus();
    });
    document.addEventListener('click', function (e) {
      if (!document.body.classList.contains('nav-open')) return;
      if (e.target.closest && (e.target.closest('#sidebar') || e.target.closest('#nav-toggle'))) return;
      setNavOpen(false);
    });
    $('sidebar').addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[href^="#"]');
      if (a && document.body.classList.contains('nav-open')) setNavOpen(false);
    });
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape') {
        if (document.activeElement === $('filter') && $('filter').value) {
          $('filter').value = '';
          applyFilter();
        } else if (document.body.classList.contains('nav-open')) {
          setNavOpen(false);
          toggle.focus();
        }
      } else if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey) {
        var t = e.target;
        var typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
        if (!typing) {
          e.preventDefault();
          if (window.matchMedia('(max-width: 860px)').matches) setNavOpen(true);
          $('filter').focus();
        }
      }
    });
    $('filter').addEventListener('input', applyFilter);
    window.addEventListener('hashchange', function () {
      var target = targetFromHash();
      if (!target) return;
      var closed = target.closest('details:not([open])');
      if (closed) { closed.open = true; target.scrollIntoView({ block: 'start' }); }
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
      target.focus({ preventScroll: true });
      markCurrent(target.id);
    });
  }

  /* ------------------------------------------------------------------ main */

  function render() {
    var info = isObj(spec.info) ? spec.info : {};
    var title = info.title || 'API';
    document.title = title + ' — API reference';
    $('brand').textContent = title;
    $('brand-version').textContent = info.version !== undefined ? 'v' + info.version : '';
    $('raw-link').setAttribute('href', SPEC_URL);

    var doc = $('doc');
    doc.textContent = '';
    var ops = collectOperations();
    var groups = groupByTag(ops);

    doc.appendChild(renderOverview());
    doc.appendChild(renderSecuritySchemes());

    var rendered = Object.create(null);
    groups.forEach(function (g) {
      var sec = el('section', { class: 'tag-section', id: g.id, 'aria-labelledby': g.id + '-title', tabindex: '-1' });
      sec.appendChild(el('h2', { id: g.id + '-title', class: 'tag-title', text: g.name }));
      if (g.meta.description) sec.appendChild(markdown(g.meta.description, 'tag-description'));
      if (isObj(g.meta.externalDocs) && g.meta.externalDocs.url) {
        sec.appendChild(el('p', null, link(g.meta.externalDocs.url, g.meta.externalDocs.description || 'More documentation')));
      }
      g.ops.forEach(function (o) {
        if (rendered[o.id]) {
          sec.appendChild(el('p', { class: 'op-crossref' }, methodBadge(o.method, 'method-sm'), ' ',
            el('a', { href: '#' + o.id }, o.path), ' — described under ', el('strong', { text: o.tags[0] }), '.'));
          return;
        }
        rendered[o.id] = true;
        sec.appendChild(renderOperation(o));
      });
      doc.appendChild(sec);
    });
    if (!ops.length) doc.appendChild(el('p', { class: 'muted', text: 'This document describes no operations.' }));

    var schemas = renderSchemas();
    if (schemas) doc.appendChild(schemas);

    renderNav(groups);
    applyFilter();
    watchSections();
  }

  function showError(title, detail) {
    var status = $('status');
    var hadFocus = status.contains(document.activeElement);
    status.textContent = '';
    status.setAttribute('role', 'alert');
    var retry = el('button', { type: 'button', class: 'button', text: 'Try again' });
    retry.addEventListener('click', function () { load(); });
    status.appendChild(el('div', { class: 'error-box' },
      el('h1', { text: title }),
      el('p', { text: detail }),
      el('p', null, 'The raw document should be at ', el('a', { href: SPEC_URL }, el('code', { text: SPEC_URL })), '.'),
      el('p', null, retry)));
    status.hidden = false;
    document.querySelector('#sidebar .filter').hidden = true;
    document.title = 'Error — API reference';
    if (hadFocus) retry.focus();
  }

  function load() {
    var status = $('status');
    status.hidden = false;
    document.querySelector('#sidebar .filter').hidden = false;
    status.setAttribute('role', 'status');
    status.textContent = '';
    status.appendChild(el('p', { class: 'loading', text: 'Loading the API description…' }));
    var controller = 'AbortController' in window ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS) : null;

    fetch(SPEC_URL, {
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-cache',
      signal: controller ? controller.signal : undefined
    }).then(function (res) {
      if (!res.ok) {
        var e = new Error('The server answered ' + res.status + (res.statusText ? ' ' + res.statusText : '') + ' for ' + SPEC_URL + '.');
        e.kind = 'http';
        throw e;
      }
      return res.text().then(function (body) {
        try {
          return JSON.parse(body);
        } catch (err) {
          var e2 = new Error(SPEC_URL + ' did not return valid JSON (' + err.message + ').');
          e2.kind = 'parse';
          throw e2;
        }
      });
    }).then(function (doc) {
      if (timer) clearTimeout(timer);
      if (!isObj(doc) || typeof doc.openapi !== 'string') {
        throw Object.assign(new Error(SPEC_URL + ' is not an OpenAPI document (no "openapi" field).'), { kind: 'parse' });
      }
      spec = doc;
      usedIds = Object.create(null);
      try {
        render();
      } catch (err) {
        if (window.console) console.error(err);
        throw Object.assign(new Error('The document was loaded but could not be displayed: ' + err.message), { kind: 'render' });
      }
      status.textContent = '';
      status.hidden = true;
      goToHash();
    })['catch'](function (err) {
      if (timer) clearTimeout(timer);
      var detail;
      if (err && err.name === 'AbortError') detail = 'The request for ' + SPEC_URL + ' timed out.';
      else if (err && err.kind) detail = err.message;
      else detail = 'The request for ' + SPEC_URL + ' failed' + (err && err.message ? ' (' + err.message + ')' : '') + '. Check that the API is running and reachable.';
      showError('Could not load the API description', detail);
    });
  }

  function $(id) {
    return document.getElementById(id);
  }

  function start() {
    wireChrome();
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
