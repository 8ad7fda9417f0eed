// The workbench page: a scheme editor checked as one types, the outline, the examples, one tip
// tried, and a batch of tips. Everything it shows comes from the server's API; its words come
// from the catalogues, handed over in #rectify-data.
'use strict';

const DATA = JSON.parse(document.getElementById('rectify-data').textContent);
const $ = (selector) => document.querySelector(selector);
let lang = localStorage.getItem('rectify-lang') ||
  ((navigator.language || '').toLowerCase().startsWith('en') ? 'en' : 'zh');

function t(key, args) {
  let text = (DATA.texts[lang] && DATA.texts[lang][key]) || DATA.texts.zh[key] || key;
  for (const [name, value] of Object.entries(args || {})) text = text.split('{' + name + '}').join(String(value));
  return text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

async function api(path, options) {
  const separator = path.includes('?') ? '&' : '?';
  const response = await fetch(path + separator + 'lang=' + lang, options);
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  return { status: response.status, body };
}

function post(path, body) {
  return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

function errorText(result) {
  return (result.body && result.body.error && result.body.error.message) || t('page.request_failed', { status: result.status });
}

// ---------------------------------------------------------------------------------------------
// The language and the tabs

function applyTexts() {
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  $('#lang-switch').textContent = lang === 'en' ? '中文' : 'English';
  const mode = $('#mode');
  mode.textContent = t(DATA.include_reporter ? 'page.mode.disclosing' : 'page.mode.withholding');
  mode.classList.toggle('disclosing', DATA.include_reporter);
  $('#reporter-row').hidden = !(DATA.include_reporter && $('#tip-real-name').checked);
}

$('#lang-switch').addEventListener('click', () => {
  lang = lang === 'en' ? 'zh' : 'en';
  localStorage.setItem('rectify-lang', lang);
  applyTexts();
  scheduleCheck(0);
});

for (const button of document.querySelectorAll('.tab')) {
  button.addEventListener('click', () => showTab(button.dataset.tab));
}

function showTab(name) {
  for (const button of document.querySelectorAll('.tab')) button.classList.toggle('active', button.dataset.tab === name);
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.id !== 'tab-' + name;
}

// ---------------------------------------------------------------------------------------------
// The editor: each line a <div class="line">, a diagnostic a non-editable block after the line it
// concerns. The text is read back from the lines after every edit, and the lines drawn again.

const editor = $('#editor');
editor.setAttribute('contenteditable', 'plaintext-only');
const KEYWORDS = DATA.keywords;
const files = { loaded: [], texts: {}, current: null };
let diagnostics = [];
const titles = {};

function highlight(line) {
  let out = '';
  let i = 0;
  const chars = Array.from(line);
  while (i < chars.length) {
    const c = chars[i];
    if (c === '#') {
      out += '<span class="cmt">' + escape(chars.slice(i).join('')) + '</span>';
      break;
    }
    const close = { '"': '"', '“': '”', '「': '」', '『': '』' }[c];
    if (close) {
      let j = i + 1;
      while (j < chars.length && chars[j] !== close) j += 1;
      out += '<span class="str">' + escape(chars.slice(i, j + 1).join('')) + '</span>';
      i = j + 1;
      continue;
    }
    if (/[0-9０-９]/.test(c)) {
      let j = i;
      while (j < chars.length && /[0-9０-９.\-]/.test(chars[j])) j += 1;
      out += '<span class="num">' + escape(chars.slice(i, j).join('')) + '</span>';
      i = j;
      continue;
    }
    const rest = chars.slice(i).join('');
    const word = KEYWORDS.find((keyword) => rest.startsWith(keyword) && bounded(keyword, chars, i));
    if (word) {
      out += '<span class="kw">' + escape(word) + '</span>';
      i += Array.from(word).length;
      continue;
    }
    out += escape(c);
    i += 1;
  }
  return out;
}

// An English keyword is one only as a whole word.
function bounded(keyword, chars, at) {
  if (!/^[a-z_]/i.test(keyword)) return true;
  const before = chars[at - 1];
  const after = chars[at + Array.from(keyword).length];
  const wordy = (c) => c != null && /[A-Za-z0-9_]/.test(c);
  return !wordy(before) && !wordy(after);
}

function readNode(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.data;
  if (node.nodeName === 'BR') return node.parentNode === editor ? '\n' : '';
  if (node.nodeType !== Node.ELEMENT_NODE || node.classList.contains('diag')) return '';
  let text = '';
  for (const child of node.childNodes) text += readNode(child);
  return text;
}

// The text of the editor, or of a fragment cut from it: lines joined by line feeds.
function readLines(root) {
  const lines = [];
  for (const node of root.childNodes) {
    if (node.nodeType === Node.ELEMENT_NODE && node.classList.contains('diag')) continue;
    lines.push(readNode(node));
  }
  return lines.join('\n');
}

function caretOffset() {
  const selection = window.getSelection();
  if (!selection.rangeCount || !editor.contains(selection.anchorNode)) return null;
  const range = document.createRange();
  range.setStart(editor, 0);
  range.setEnd(selection.anchorNode, selection.anchorOffset);
  return readLines(range.cloneContents()).length;
}

function placeCaret(offset) {
  const lines = Array.from(editor.querySelectorAll(':scope > .line'));
  let remaining = offset;
  for (const line of lines) {
    const length = readNode(line).length;
    if (remaining <= length) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let node = walker.nextNode();
      while (node) {
        if (remaining <= node.data.length) {
          setSelection(node, remaining);
          return;
        }
        remaining -= node.data.length;
        node = walker.nextNode();
      }
      setSelection(line, 0);
      return;
    }
    remaining -= length + 1;
  }
  if (lines.length) setSelection(lines[lines.length - 1], lines[lines.length - 1].childNodes.length);
}

function setSelection(node, offset) {
  const range = document.createRange();
  range.setStart(node, offset);
  range.collapse(true);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function draw(text) {
  const lines = text.split('\n');
  const under = new Map();
  for (const diagnostic of diagnostics) {
    const label = diagnostic.labels[0];
    const line = label ? Math.min(label.start.line, lines.length) : 1;
    if (!under.has(line)) under.set(line, []);
    under.get(line).push(diagnostic);
  }
  let html = '';
  lines.forEach((line, index) => {
    html += '<div class="line" data-n="' + (index + 1) + '">' + (line ? highlight(line) : '<br>') + '</div>';
    for (const diagnostic of under.get(index + 1) || []) html += diagnosticHtml(diagnostic);
  });
  editor.innerHTML = html;
}

function diagnosticHtml(diagnostic) {
  const labels = diagnostic.labels.filter((label) => label.message).map((label) =>
    '<div class="label">' + escape(t('page.at', { line: label.start.line, column: label.start.column })) + ' ' + escape(label.message) + '</div>').join('');
  const help = diagnostic.help ? '<div class="help">' + escape(t('page.help')) + escape(diagnostic.help) + '</div>' : '';
  const related = (diagnostic.related || []).map((r) =>
    '<div class="help">' + escape(r.file + ':' + r.start.line + ' ' + r.message) + '</div>').join('');
  return '<div class="diag ' + (diagnostic.severity === 'warning' ? 'warning' : 'error') + '" contenteditable="false" data-line="' +
    (diagnostic.labels[0] ? diagnostic.labels[0].start.line : 1) + '"><code>' + escape(diagnostic.code || '') + '</code>' +
    escape(diagnostic.message) + labels + help + related + '</div>';
}

function currentText() {
  return readLines(editor);
}

function redraw() {
  const caret = caretOffset();
  const text = currentText();
  files.texts[files.current] = text;
  draw(text);
  if (caret != null) placeCaret(caret);
}

let composing = false;
editor.addEventListener('compositionstart', () => { composing = true; });
editor.addEventListener('compositionend', () => { composing = false; redraw(); scheduleCheck(); });
editor.addEventListener('input', () => {
  if (composing) return;
  redraw();
  scheduleCheck();
});
editor.addEventListener('keydown', (event) => {
  if (event.key === 'Tab' && !event.isComposing && !event.shiftKey) {
    // Tab indents, as in an editor, rather than leaving the editor.
    event.preventDefault();
    document.execCommand('insertText', false, '  ');
    return;
  }
  if (event.key === 'Enter' && !event.isComposing) {
    event.preventDefault();
    const caret = caretOffset();
    const text = currentText();
    const selection = window.getSelection();
    let end = caret;
    if (selection.rangeCount && !selection.isCollapsed) {
      const range = document.createRange();
      range.setStart(editor, 0);
      range.setEnd(selection.focusNode, selection.focusOffset);
      end = readLines(range.cloneContents()).length;
    }
    const [from, to] = [Math.min(caret, end), Math.max(caret, end)];
    const next = text.slice(0, from) + '\n' + text.slice(to);
    files.texts[files.current] = next;
    draw(next);
    placeCaret(from + 1);
    scheduleCheck();
  }
});
editor.addEventListener('paste', (event) => {
  event.preventDefault();
  const pasted = (event.clipboardData || window.clipboardData).getData('text/plain');
  document.execCommand('insertText', false, pasted.replace(/\r\n?/g, '\n'));
});

let checkTimer = null;
let checkSeq = 0;
function scheduleCheck(delay) {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, delay == null ? 250 : delay);
}

function drafts() {
  const changed = [];
  for (const [name, text] of Object.entries(files.texts)) {
    const loaded = files.loaded.find((file) => file.name === name);
    if (!loaded || loaded.text !== text) changed.push({ name, text });
  }
  return changed;
}

async function runCheck() {
  const seq = ++checkSeq;
  const status = $('#check-status');
  const result = await post('/api/check', { files: drafts() });
  if (seq !== checkSeq) return;
  if (result.status !== 200) {
    status.textContent = errorText(result);
    status.className = 'status bad';
    return;
  }
  const all = result.body.diagnostics;
  diagnostics = all.filter((d) => d.file === files.current);
  const errors = all.filter((d) => d.severity === 'error').length;
  const warnings = all.length - errors;
  status.textContent = errors || warnings ? t('page.check.problems', { errors, warnings }) : t('page.check.clean');
  status.className = 'status ' + (errors ? 'bad' : 'good');
  const caret = caretOffset();
  draw(files.texts[files.current]);
  if (caret != null) placeCaret(caret);
  if (result.body.campaigns) showOutline(result.body.campaigns);
  else $('#outline').replaceChildren(el('p', { class: 'hint', text: t('page.outline.not_checked') }));
}

function showOutline(campaigns) {
  for (const campaign of campaigns) titles[campaign.id] = campaign.title;
  const root = el('ul');
  for (const campaign of campaigns.filter((c) => c.file === files.current || campaigns.length === 1)) {
    const areas = el('ul');
    for (const area of campaign.areas) {
      const categories = el('ul');
      for (const category of area.categories) {
        const symptoms = el('ul');
        for (const symptom of category.symptoms) symptoms.append(el('li', {}, el('span', { class: 'id', text: symptom.id }), symptom.title));
        categories.append(el('li', { class: 'category' }, el('span', { class: 'id', text: category.id }), category.title, symptoms));
      }
      areas.append(el('li', { class: 'area' }, el('span', { class: 'id', text: area.id }), area.title, categories));
    }
    root.append(el('li', { class: 'campaign' }, el('strong', { text: campaign.title }), areas));
  }
  $('#outline').replaceChildren(root);
}

function openFile(name) {
  files.current = name;
  diagnostics = [];
  draw(files.texts[name]);
  scheduleCheck(0);
}

$('#file-select').addEventListener('change', (event) => openFile(event.target.value));
$('#new-file').addEventListener('click', () => {
  let n = 1;
  while (files.texts['draft-' + n + '.scheme'] != null) n += 1;
  const name = 'draft-' + n + '.scheme';
  files.texts[name] = '';
  $('#file-select').append(el('option', { value: name, text: name }));
  $('#file-select').value = name;
  openFile(name);
  editor.focus();
});

// ---------------------------------------------------------------------------------------------
// Examples

$('#run-examples').addEventListener('click', async () => {
  const status = $('#examples-status');
  status.textContent = t('page.running');
  const result = await post('/api/examples', { files: drafts() });
  if (result.status !== 200) {
    status.textContent = errorText(result);
    return;
  }
  if (!result.body.examples) {
    status.textContent = t('page.examples.not_checked');
    status.className = 'status bad';
    $('#examples').replaceChildren();
    return;
  }
  const examples = result.body.examples;
  const passed = examples.filter((e) => e.passed);
  const failed = examples.filter((e) => !e.passed);
  status.textContent = t('page.examples.summary', { passed: passed.length, failed: failed.length });
  status.className = 'status ' + (failed.length ? 'bad' : 'good');
  const column = (title, list, kind) => el('div', { class: 'column ' + kind, id: 'examples-' + kind },
    el('h3', { text: title + ' (' + list.length + ')' }),
    ...list.map((e) => el('div', { class: 'card ' + kind },
      el('div', {}, el('strong', { text: e.name }), ' ', el('span', { class: 'meta', text: e.campaign + ' · ' + e.file + ':' + e.line })),
      el('div', { text: t('page.examples.expected') + e.expected }),
      el('div', { text: t('page.examples.actual') + e.actual }),
      e.detail && !e.passed ? el('div', { class: 'meta', text: e.detail }) : null)));
  $('#examples').replaceChildren(column(t('page.examples.failed'), failed, 'failed'), column(t('page.examples.passed'), passed, 'passed'));
});

// ---------------------------------------------------------------------------------------------
// Trying one tip

$('#tip-real-name').addEventListener('change', applyTexts);
$('#tip-date').value = new Date().toISOString().slice(0, 10);

$('#try-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const tip = { id: 'try', text: $('#tip-text').value, received: $('#tip-date').value };
  const channel = $('#tip-channel').value;
  if (channel) tip.channel = channel;
  const subject = {};
  if ($('#tip-subject').value.trim()) subject.name = $('#tip-subject').value.trim();
  if ($('#tip-kind').value.trim()) subject.kind = $('#tip-kind').value.trim();
  if ($('#tip-level').value.trim()) subject.level = $('#tip-level').value.trim();
  if ($('#tip-region').value.trim()) subject.region = $('#tip-region').value.trim();
  if (Object.keys(subject).length) tip.subject = subject;
  if ($('#tip-real-name').checked) tip.reporter = { name: $('#tip-reporter').value.trim() || t('page.tip.reporter_given') };
  const result = await post('/api/eval', { tip, files: drafts() });
  const out = $('#decision');
  if (result.status !== 200) {
    const problems = (result.body && result.body.diagnostics) || [];
    out.replaceChildren(el('p', { class: 'status bad', text: errorText(result) }),
      ...problems.filter((d) => d.severity === 'error').map((d) => el('div', { class: 'card failed', text: d.file + ':' + (d.labels[0] ? d.labels[0].start.line : '') + ' ' + d.message })));
    return;
  }
  const decided = result.body.decided;
  out.replaceChildren(el('p', { class: 'meta', text: t(decided.real_name ? 'page.tip.was_real_name' : 'page.tip.was_anonymous') }),
    ...decided.decisions.map((decision) => decisionCard(decision, decided.text)));
});

function decisionCard(decision, text) {
  const card = el('div', { class: 'card decision', 'data-campaign': decision.campaign });
  card.append(el('div', {}, el('strong', { text: titles[decision.campaign] || decision.campaign }),
    ' ', el('span', { class: 'meta', text: decision.campaign }), ' ',
    el('span', { class: 'outcome ' + decision.outcome, text: t('outcome.' + decision.outcome) })));
  if (decision.outcome === 'accepted') {
    const spans = [];
    for (const area of decision.matches) {
      for (const category of area.categories) {
        card.append(el('div', { class: 'category', text: area.area + ' › ' + category.title }));
        for (const symptom of category.symptoms) {
          card.append(el('div', { class: 'meta', text: t('page.decision.symptom') + symptom.symptom + ' — ' + symptom.evidence.map((e) => '「' + e.text + '」').join(' ') }));
          for (const evidence of symptom.evidence) spans.push([evidence.start, evidence.end]);
        }
      }
    }
    card.append(marked(text, spans));
    if (decision.departments) card.append(el('div', { text: t('page.decision.departments') + decision.departments.map((d) => d.name + (d.role === 'lead' ? '' : ' (' + d.role + ')')).join('、') }));
    if (decision.priority) card.append(el('div', { text: t('page.decision.priority') + t('page.priority.' + decision.priority) }));
    const due = Object.entries(decision.due || {}).filter(([what]) => what === 'handle' || what === 'reply');
    if (due.length) card.append(el('div', { text: t('page.decision.due') + due.map(([what, day]) => t('page.due.' + what) + ' ' + day).join('，') }));
    if (decision.due && decision.due.provisional) card.append(el('div', { class: 'meta', text: decision.due.provisional }));
  } else if (decision.outcome === 'excluded') {
    card.append(el('div', { text: decision.exclusion + '：' + decision.reason }));
  } else if (decision.outcome === 'out_of_window') {
    card.append(el('div', { class: 'meta', text: t('page.decision.windows') + decision.windows.map((w) => w.start + ' – ' + w.end).join('，') }));
  } else if (decision.outcome === 'out_of_scope') {
    card.append(el('div', { class: 'meta', text: decision.reason || '' }));
  } else if (decision.outcome === 'no_match' && decision.suggestions && decision.suggestions.length) {
    card.append(el('div', { text: t('page.decision.suggestions') }));
    const list = el('ul', { class: 'suggestions' });
    for (const s of decision.suggestions) list.append(el('li', { text: s.area + ' › ' + s.category + '：' + s.title + (s.shared.length ? ' (' + s.shared.join('、') + ')' : '') }));
    card.append(list);
  }
  return card;
}

// The tip's text with its evidence marked; offsets count characters.
function marked(text, spans) {
  const chars = Array.from(text);
  const inside = new Array(chars.length).fill(false);
  for (const [start, end] of spans) for (let i = start; i < end && i < chars.length; i += 1) inside[i] = true;
  const node = el('div', { class: 'tiptext' });
  let i = 0;
  while (i < chars.length) {
    let j = i;
    while (j < chars.length && inside[j] === inside[i]) j += 1;
    const piece = chars.slice(i, j).join('');
    node.append(inside[i] ? el('mark', { text: piece }) : piece);
    i = j;
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// A batch

$('#batch-upload').addEventListener('click', () => {
  const file = $('#batch-file').files[0];
  const status = $('#batch-status');
  if (!file) {
    status.textContent = t('page.batch.choose');
    return;
  }
  const progress = $('#batch-progress');
  progress.hidden = false;
  progress.value = 0;
  $('#batch-summary').replaceChildren();
  $('#batch-rows').replaceChildren();
  $('#batch-downloads').replaceChildren();
  const request = new XMLHttpRequest();
  request.open('POST', '/api/batches?name=' + encodeURIComponent(file.name) + '&lang=' + lang);
  request.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) {
      progress.value = event.loaded / event.total / 2;
      status.textContent = t('page.batch.uploading', { percent: Math.round(event.loaded / event.total * 100) });
    }
  });
  request.addEventListener('load', () => {
    let body = null;
    try { body = JSON.parse(request.responseText); } catch (_) { body = null; }
    if (request.status !== 202) {
      status.textContent = errorText({ status: request.status, body });
      status.className = 'status bad';
      progress.hidden = true;
      return;
    }
    poll(body.id);
  });
  request.send(file);
});

async function poll(id) {
  const status = $('#batch-status');
  const progress = $('#batch-progress');
  const result = await api('/api/batches/' + id);
  const body = result.body || {};
  if (body.state === 'running') {
    progress.value = 0.5 + (body.total ? body.done / body.total / 2 : 0);
    status.textContent = t('page.batch.deciding', { done: body.done, total: body.total });
    setTimeout(() => poll(id), 300);
    return;
  }
  if (body.state !== 'done') {
    status.textContent = errorText(result);
    status.className = 'status bad';
    return;
  }
  progress.value = 1;
  const summary = body.summary;
  status.textContent = t('page.batch.done', { read: summary.read, decided: summary.decided, malformed: summary.malformed });
  status.className = 'status ' + (summary.malformed ? 'bad' : 'good');
  const names = ['accepted', 'excluded', 'no_match', 'out_of_scope', 'out_of_window'];
  const table = el('table', { id: 'batch-summary-table' },
    el('tr', {}, el('th', { text: t('page.batch.campaign') }), ...names.map((n) => el('th', { text: t('outcome.' + n) }))),
    ...summary.campaigns.map((c) => el('tr', {}, el('td', { text: c.campaign }), ...names.map((n) => el('td', { text: String(c.outcomes[n] || 0) })))));
  $('#batch-summary').replaceChildren(table);
  const labels = { 'decisions.xlsx': 'page.batch.download_xlsx', 'decisions.csv': 'page.batch.download_csv', 'decisions.jsonl': 'page.batch.download_jsonl', 'report.html': 'page.batch.download_report' };
  $('#batch-downloads').replaceChildren(...body.downloads.map((href) => {
    const name = href.split('/').pop();
    return el('a', { href, download: name, class: 'download', 'data-file': name, text: t(labels[name]) });
  }));
  const rows = el('table', { id: 'batch-rows-table' },
    el('tr', {}, el('th', { text: t('page.batch.line') }), el('th', { text: t('page.batch.tip') }), el('th', { text: t('page.batch.decisions') })),
    ...body.rows.map((row) => el('tr', {}, el('td', { text: String(row.line) }), el('td', { text: row.tip || '' }),
      el('td', { text: row.error ? row.error : row.decisions.map((d) => d.campaign + '：' + t('outcome.' + d.outcome) + (d.category || d.exclusion ? '（' + (d.category || d.exclusion) + '）' : '')).join('；') }))));
  $('#batch-rows').replaceChildren(rows);
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  // The token, once the cookie holds it, is taken out of the address bar and the history.
  if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);
  applyTexts();
  showTab('scheme');
  const result = await api('/api/files');
  if (result.status !== 200) {
    $('#check-status').textContent = errorText(result);
    return;
  }
  // The editor holds lines joined by line feeds; a file saved on Windows is read the same.
  files.loaded = result.body.files.map((file) => ({ name: file.name, text: file.text.replace(/\r\n?/g, '\n') }));
  const select = $('#file-select');
  for (const file of files.loaded) {
    files.texts[file.name] = file.text;
    select.append(el('option', { value: file.name, text: file.name }));
  }
  const first = files.loaded.find((file) => file.name.endsWith('.scheme')) || files.loaded[0];
  if (first) {
    select.value = first.name;
    openFile(first.name);
  }
  document.body.dataset.ready = 'true';
}

start();
