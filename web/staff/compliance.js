// Compliance console. Everything shown comes from JSON and is rendered with textContent only (never parsed as HTML, no
// inline script: strict CSP). Transcripts are stored redacted; the server audits every view and export.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  let csrf = '';
  let roles = [];
  let currentConversation = null;
  let currentIncident = null;
  const status = (text) => { $('status').textContent = text; };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  };
  const row = (cells) => { const tr = el('tr'); for (const c of cells) { const td = el('td'); if (c instanceof Node) td.append(c); else td.textContent = c === undefined || c === null ? '' : String(c); tr.append(td); } return tr; };
  const iso = (v) => (v ? new Date(v).toISOString() : '');
  const list = (v) => v.split(',').map((x) => x.trim()).filter(Boolean);

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') { headers['Content-Type'] = 'application/json'; headers['X-CSRF-Token'] = csrf; }
    const res = await fetch(path, { method, credentials: 'same-origin', cache: 'no-store', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401) { window.location.assign('/staff/login'); throw new Error('signed out'); }
    const data = await res.json().catch(() => ({}));
    return { status: res.status, data };
  }
  function download(name, data) {
    const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    const a = el('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // --- tabs ------------------------------------------------------------------------------------------------------
  const loaders = { conversations: () => undefined, requests: loadRequests, audit: loadAudit, incidents: loadIncidents };
  function show(tab) {
    for (const s of document.querySelectorAll('section.tab')) s.hidden = s.id !== tab;
    for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    status('');
    loaders[tab]();
  }
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => show(b.dataset.tab));

  // --- conversations ---------------------------------------------------------------------------------------------
  $('search-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    if ($('s-from').value) q.set('from', iso($('s-from').value));
    if ($('s-to').value) q.set('to', iso($('s-to').value));
    if ($('s-channel').value) q.set('channel', $('s-channel').value);
    if ($('s-escalated').value) q.set('escalated', $('s-escalated').value);
    if ($('s-request').value.trim()) q.set('request', $('s-request').value.trim());
    const r = await api('GET', `/api/staff/compliance/conversations?${q}`);
    const body = $('conversation-list').tBodies[0];
    body.replaceChildren();
    if (r.status !== 200) { status('The search failed.'); return; }
    for (const c of r.data.items) {
      const open = el('button', 'open', 'Read');
      open.type = 'button';
      open.addEventListener('click', () => openTranscript(c.id));
      body.append(row([c.id, c.channel, c.first, c.last, c.entries, c.escalated ? 'yes' : 'no', open]));
    }
    status(`${r.data.items.length} conversation(s).`);
  });

  async function openTranscript(id) {
    const r = await api('GET', `/api/staff/compliance/conversations/${encodeURIComponent(id)}`);
    if (r.status !== 200) { status('That conversation is not available.'); return; }
    currentConversation = id;
    $('t-id').textContent = id;
    const ol = $('t-entries');
    ol.replaceChildren();
    for (const e of r.data.entries) {
      const li = el('li', `entry ${e.role}`);
      li.append(el('div', 'meta', `${e.at} · ${e.role} · ${e.type}${e.edited ? ' · edited' : ''}`));
      if (e.text !== undefined) li.append(el('div', 'text', e.text));
      if (e.findings.length) li.append(el('div', 'findings', `Findings: ${e.findings.map((f) => `${f.type} [${f.start}-${f.end}] by ${f.recognizer}, ${f.operator}`).join('; ')}`));
      ol.append(li);
    }
    if (r.data.unreadable) ol.append(el('li', 'note', `${r.data.unreadable} entr(y/ies) could not be opened (key destroyed or tampered).`));
    $('transcript').hidden = false;
  }
  $('t-export').addEventListener('click', async () => {
    if (!currentConversation) return;
    const r = await api('GET', `/api/staff/compliance/conversations/${encodeURIComponent(currentConversation)}/export`);
    if (r.status === 200) download(`transcript-${currentConversation}.json`, r.data); else status('The export failed.');
  });

  // --- requests --------------------------------------------------------------------------------------------------
  async function loadRequests() {
    const body = $('request-list').tBodies[0];
    body.replaceChildren();
    const r = await api('GET', '/api/staff/compliance/requests');
    if (r.status !== 200) { status(r.status === 403 ? 'Data requests are for the compliance role.' : 'Could not load requests.'); return; }
    for (const q of r.data.items) {
      const tr = row([q.id, q.type, q.subject, q.received, q.due, q.status, q.flag.replace(/_/g, ' ')]);
      tr.className = `flag-${q.flag}`;
      body.append(tr);
    }
  }

  // --- audit -----------------------------------------------------------------------------------------------------
  function auditQuery() {
    const q = new URLSearchParams();
    if ($('a-from').value) q.set('from', iso($('a-from').value));
    if ($('a-to').value) q.set('to', iso($('a-to').value));
    if ($('a-type').value.trim()) q.set('type', $('a-type').value.trim());
    if ($('a-actor').value.trim()) q.set('actor', $('a-actor').value.trim());
    return q;
  }
  async function loadAudit() {
    const r = await api('GET', `/api/staff/compliance/audit?${auditQuery()}`);
    const body = $('audit-list').tBodies[0];
    body.replaceChildren();
    if (r.status !== 200) { status('Could not load the audit log.'); return; }
    const badge = $('audit-badge');
    badge.className = `badge ${r.data.verified.ok ? 'ok' : 'bad'}`;
    badge.textContent = r.data.verified.ok ? `Chain verified: ${r.data.verified.checked} entries intact` : `Chain NOT intact: entry ${r.data.verified.problem.index} ${r.data.verified.problem.kind}`;
    for (const x of r.data.items) {
      const ev = x.event;
      const detail = ['purpose', 'outcome', 'reason', 'method', 'count', 'channel'].filter((k) => ev[k]).map((k) => `${k}=${ev[k]}`).join(' ');
      body.append(row([x.seq, ev.at, ev.type, ev.actor ?? ev.subject ?? '', ev.object ?? ev.conversation ?? '', detail]));
    }
  }
  $('audit-form').addEventListener('submit', (e) => { e.preventDefault(); loadAudit(); });
  $('audit-export').addEventListener('click', async () => {
    const r = await api('GET', `/api/staff/compliance/audit/export?${auditQuery()}`);
    if (r.status === 200) download('audit.json', r.data); else status('The export failed.');
  });

  // --- incidents -------------------------------------------------------------------------------------------------
  async function loadIncidents() {
    const r = await api('GET', '/api/staff/incidents');
    const ul = $('incident-list');
    ul.replaceChildren();
    if (r.status !== 200) { status('Could not load incidents.'); return; }
    for (const i of r.data.items) {
      const li = el('li');
      const b = el('button', 'open-incident', `${i.id} · ${i.status} · due ${i.due}`);
      b.type = 'button';
      b.addEventListener('click', () => openIncident(i.id));
      li.append(b, el('span', '', ` ${i.title}`));
      ul.append(li);
    }
  }
  $('incident-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const classes = [...document.querySelectorAll('input[name="i-class"]:checked')].map((x) => x.value);
    const r = await api('POST', '/api/staff/incidents', {
      title: $('i-title').value, detectedAt: iso($('i-detected').value), awareAt: iso($('i-aware').value), dataClasses: classes,
      masterVersions: list($('i-mv').value), dataKeys: list($('i-keys').value),
    });
    if (r.status !== 201) { status('The incident could not be recorded (check the fields).'); return; }
    status(`Recorded ${r.data.id}; notify the authority by ${r.data.due}.`);
    await loadIncidents();
    await openIncident(r.data.id);
  });

  async function openIncident(id) {
    const r = await api('GET', `/api/staff/incidents/${encodeURIComponent(id)}`);
    if (r.status !== 200) { status('That incident is not available.'); return; }
    currentIncident = id;
    const { incident: inc, actions, notices, notified } = r.data;
    $('inc-title').textContent = `${inc.id}: ${inc.title}`;
    const dl = $('inc-facts');
    dl.replaceChildren();
    const facts = [['Status', inc.status], ['Detected', inc.detectedAt], ['Aware since', inc.awareAt], ['Authority notice due (72 h)', inc.due], ['Data classes', inc.dataClasses.join(', ')], ['Master versions', inc.masterVersions.join(', ')], ['Data keys', inc.dataKeys.join(', ')], ['Last scope', inc.scope ? `${inc.scope.subjects} subjects, ${inc.scope.records} records (${inc.scope.at})` : 'not run']];
    for (const [k, v] of facts) dl.append(el('dt', '', k), el('dd', '', v));
    const nd = $('notices');
    nd.replaceChildren();
    for (const [lang, text] of Object.entries(notices)) nd.append(el('dt', '', lang), el('dd', 'notice', text));
    const dec = $('decisions');
    dec.replaceChildren();
    for (const d of inc.decisions) dec.append(el('li', '', `${d.at} · ${d.actor}: ${d.text}`));
    const au = $('actions');
    au.replaceChildren();
    for (const a of actions) {
      const li = el('li', `action ${a.status}`, `${a.kind} · proposed by ${a.proposedBy} (${a.via}) · ${a.status}${a.approvedBy ? ` · approved by ${a.approvedBy}` : ''}${a.result ? ` · ${Object.entries(a.result).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''}`);
      if (a.status === 'proposed' && roles.includes('admin')) {
        const b = el('button', 'approve', 'Approve (second admin)');
        b.type = 'button';
        b.addEventListener('click', async () => {
          const x = await api('POST', `/api/staff/actions/${encodeURIComponent(a.id)}/approve`);
          status(x.status === 200 ? `Approved and ${x.data.status}.` : x.status === 409 ? 'A different admin must approve this.' : 'Approval failed.');
          await openIncident(id);
        });
        li.append(b);
      }
      au.append(li);
    }
    const nu = $('notified');
    nu.replaceChildren();
    for (const n of notified) nu.append(el('li', '', `${n.conversation} at ${n.at}`));
    $('action-form').hidden = !roles.includes('admin');
    $('incident').hidden = false;
  }
  $('scope-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!currentIncident) return;
    const inc = (await api('GET', `/api/staff/incidents/${encodeURIComponent(currentIncident)}`)).data.incident;
    const body = { classes: inc.dataClasses };
    if ($('q-from').value) body.from = iso($('q-from').value);
    if ($('q-to').value) body.to = iso($('q-to').value);
    if ($('q-mv').value.trim()) body.masterVersion = $('q-mv').value.trim();
    if ($('q-keys').value.trim()) body.dataKeys = list($('q-keys').value);
    const r = await api('POST', `/api/staff/incidents/${encodeURIComponent(currentIncident)}/scope`, body);
    const tb = $('scope-list').tBodies[0];
    tb.replaceChildren();
    if (r.status !== 200) { status('Give a time window, a master version or data keys.'); return; }
    $('scope-summary').textContent = `${r.data.subjects.length} subjects, ${r.data.records} records (${r.data.examined} examined in ${r.data.ms} ms)`;
    for (const s of r.data.subjects.slice(0, 1000)) tb.append(row([s.subject, s.total, Object.entries(s.counts).map(([k, v]) => `${k}: ${v}`).join(', ')]));
    await openIncident(currentIncident);
  });
  $('decision-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    if ($('decision').value.trim()) body.decision = $('decision').value.trim();
    if ($('inc-status').value) body.status = $('inc-status').value;
    const r = await api('POST', `/api/staff/incidents/${encodeURIComponent(currentIncident)}`, body);
    if (r.status !== 200) { status('Nothing recorded.'); return; }
    $('decision').value = '';
    await openIncident(currentIncident);
  });
  $('action-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { kind: $('act-kind').value };
    if ($('act-mv').value.trim()) body.masterVersion = $('act-mv').value.trim();
    if ($('act-keys').value.trim()) body.dataKeys = list($('act-keys').value);
    const r = await api('POST', `/api/staff/incidents/${encodeURIComponent(currentIncident)}/actions`, body);
    status(r.status === 201 ? 'Proposed: a different admin must approve it.' : 'The action could not be proposed (notification needs a scope first).');
    await openIncident(currentIncident);
  });

  // --- session ---------------------------------------------------------------------------------------------------
  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/staff/logout').catch(() => undefined);
    window.location.assign('/staff/login');
  });
  (async () => {
    const { status: code, data } = await api('GET', '/api/staff/session');
    if (code !== 200) return;
    csrf = data.csrf;
    roles = data.roles;
    $('who').textContent = `${data.id} (${roles.join(', ')})`;
    if (!roles.includes('compliance')) { $('tab-conversations').hidden = true; $('tab-requests').hidden = true; show('audit'); } else show('conversations');
  })();
})();
