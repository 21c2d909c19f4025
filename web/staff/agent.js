// Agent console. Everything a customer or an agent wrote is rendered with textContent (a customer's <script> is
// text); no inline script, no innerHTML. A revealed value lives only in one DOM node, is never stored in a variable
// that outlives the click, and disappears after a minute or when another conversation is opened.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const TOKEN = /\[TOKEN:[0-9a-f]{10}\]/g;
  const REVEAL_MS = 60000;
  let csrf = '';
  let current = null;
  let pendingToken = null;
  const seen = new Set();

  const status = (text) => { $('status').textContent = text; };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (method !== 'GET') { headers['Content-Type'] = 'application/json'; headers['X-CSRF-Token'] = csrf; }
    const res = await fetch(path, { method, credentials: 'same-origin', cache: 'no-store', headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401) { window.location.assign('/staff/login'); throw new Error('signed out'); }
    const data = await res.json().catch(() => ({}));
    return { status: res.status, data };
  }

  // --- queue ---------------------------------------------------------------------------------------------------
  async function loadQueue() {
    const { status: code, data } = await api('GET', '/api/staff/queue');
    if (code !== 200) return;
    const list = $('queue');
    list.replaceChildren();
    for (const item of data.items) {
      const li = el('li');
      li.dataset.id = item.id;
      const mins = Math.round(item.waitingSeconds / 60);
      li.append(el('div', 'meta', `${item.state === 'followup' ? `follow-up (${item.followup})` : item.state} · waiting ${mins} min · ${item.reason} · ${item.intent} · ${item.verified ? 'verified' : 'not verified'} · ${item.lang}`));
      li.append(el('div', 'preview', item.preview));
      const claim = el('button', 'claim', 'Claim');
      claim.type = 'button';
      claim.addEventListener('click', () => claimConversation(item.id));
      li.append(claim);
      list.append(li);
    }
    $('queue-empty').hidden = data.items.length > 0;
  }

  async function claimConversation(id) {
    const r = await api('POST', `/api/staff/conversations/${encodeURIComponent(id)}/claim`);
    if (r.status !== 200) { status('That conversation is no longer waiting.'); await loadQueue(); return; }
    await openConversation(id);
    await loadQueue();
  }

  // --- conversation --------------------------------------------------------------------------------------------
  function renderText(container, msg) {
    const types = new Map((msg.tokens || []).map((t) => [t.token, t.type]));
    let last = 0;
    const text = String(msg.text || '');
    for (const m of text.matchAll(TOKEN)) {
      container.append(document.createTextNode(text.slice(last, m.index)));
      const type = types.get(m[0]);
      if (type) {
        const b = el('button', 'token', `[${type}]`);
        b.type = 'button';
        b.title = 'Reveal (audited)';
        b.dataset.token = m[0];
        b.addEventListener('click', () => askReveal(m[0], type, b));
        container.append(b);
      } else container.append(document.createTextNode(m[0]));
      last = m.index + m[0].length;
    }
    container.append(document.createTextNode(text.slice(last)));
  }

  function addMessage(role, msg, at) {
    const li = el('li', role);
    li.append(el('span', 'role', `${role === 'user' ? 'Customer' : role === 'agent' ? 'Agent' : 'Assistant'} · ${new Date(at).toLocaleTimeString()}`));
    const body = el('span', 'text');
    renderText(body, msg);
    li.append(body);
    $('messages').append(li);
    li.scrollIntoView({ block: 'end' });
  }

  async function openConversation(id) {
    const { status: code, data } = await api('GET', `/api/staff/conversations/${encodeURIComponent(id)}`);
    if (code !== 200) { status('Conversation not available.'); return; }
    current = id;
    seen.clear();
    $('conversation-panel').hidden = false;
    $('reveal-form').hidden = true;
    const facts = $('facts');
    facts.replaceChildren();
    for (const [k, v] of [['Reason', data.reason], ['Intent', data.intent], ['Verified', data.verified ? 'yes' : 'no'], ['Language', data.lang], ['Channel', data.channel]]) {
      facts.append(el('dt', '', k), el('dd', '', v));
    }
    $('messages').replaceChildren();
    for (const e of data.transcript) addMessage(e.role, { text: e.text, tokens: [] }, e.at);
    for (const m of data.messages) { seen.add(m.id); addMessage(m.role, m, m.at); }
    setActive(true);
  }

  function setActive(on) {
    for (const id of ['send', 'handback', 'close', 'send-text']) $(id).disabled = !on;
  }

  $('send-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('send-text').value.trim();
    if (!text || !current) return;
    const r = await api('POST', `/api/staff/conversations/${encodeURIComponent(current)}/messages`, { text });
    if (r.status === 200) $('send-text').value = '';
    else status('The message could not be sent.');
  });

  async function end(how) {
    if (!current) return;
    const r = await api('POST', `/api/staff/conversations/${encodeURIComponent(current)}/${how}`);
    if (r.status === 200) { status(how === 'handback' ? 'Handed back to the bot.' : 'Conversation closed.'); finishCurrent(); }
  }
  $('handback').addEventListener('click', () => end('handback'));
  $('close').addEventListener('click', () => end('close'));

  function finishCurrent() {
    current = null;
    setActive(false);
    $('reveal-form').hidden = true;
    for (const r of document.querySelectorAll('.revealed')) r.remove();
  }

  // --- reveal --------------------------------------------------------------------------------------------------
  function askReveal(token, type, button) {
    pendingToken = { token, button };
    $('reveal-type').textContent = type;
    $('reveal-reason').value = '';
    $('reveal-form').hidden = false;
    $('reveal-reason').focus();
  }
  $('reveal-cancel').addEventListener('click', () => { pendingToken = null; $('reveal-form').hidden = true; });
  $('reveal-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!pendingToken || !current) return;
    const { token, button } = pendingToken;
    pendingToken = null;
    const r = await api('POST', `/api/staff/conversations/${encodeURIComponent(current)}/reveal`, { token, purpose: $('reveal-purpose').value, reason: $('reveal-reason').value });
    $('reveal-reason').value = '';
    $('reveal-form').hidden = true;
    if (r.status !== 200) { status(r.status === 400 ? 'Please give a reason of at least 10 characters.' : 'That value cannot be revealed.'); return; }
    const shown = el('span', 'revealed', r.data.value);
    r.data.value = '';
    button.after(shown);
    setTimeout(() => shown.remove(), REVEAL_MS);
  });

  // --- reveals (supervisors) -----------------------------------------------------------------------------------
  async function loadReveals() {
    const { status: code, data } = await api('GET', '/api/staff/reveals');
    if (code !== 200) return;
    const list = $('reveals');
    list.replaceChildren();
    for (const r of data.items) list.append(el('li', '', `${r.at} · ${r.staff} · ${r.type} · ${r.purpose} · ${r.reason}`));
  }

  // --- live events ---------------------------------------------------------------------------------------------
  function connect() {
    const es = new EventSource('/api/staff/events');
    es.addEventListener('hello', () => { void loadQueue(); if (current) void openConversation(current); });
    es.addEventListener('queue', () => { void loadQueue(); });
    es.addEventListener('message', (ev) => {
      const d = JSON.parse(ev.data);
      if (d.id !== current || seen.has(d.message.id)) return;
      seen.add(d.message.id);
      addMessage(d.message.role, d.message, d.message.at);
    });
    es.addEventListener('conversation', (ev) => {
      const d = JSON.parse(ev.data);
      if (d.id === current && d.kind === 'ended') { status('The conversation has ended.'); finishCurrent(); }
    });
    es.addEventListener('end', () => { es.close(); window.location.assign('/staff/login'); });
  }

  $('logout').addEventListener('click', async () => {
    await api('POST', '/api/staff/logout').catch(() => undefined);
    window.location.assign('/staff/login');
  });

  (async () => {
    const { status: code, data } = await api('GET', '/api/staff/session');
    if (code !== 200) return;
    csrf = data.csrf;
    $('who').textContent = `${data.id} (${data.roles.join(', ')})`;
    setActive(false);
    if (data.roles.includes('supervisor')) { $('reveals-panel').hidden = false; void loadReveals(); }
    await loadQueue();
    connect();
  })();
})();
