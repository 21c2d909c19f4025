// Retention page: the policy per data class and the last purge report (counts only). textContent only.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); e.textContent = String(text); return e; };
  const human = (s) => (s % 86400 === 0 ? `${s / 86400} days` : s % 3600 === 0 ? `${s / 3600} hours` : `${s} seconds`);
  (async () => {
    const res = await fetch('/api/staff/compliance/retention', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    if (res.status === 401) { window.location.assign('/staff/login'); return; }
    if (res.status !== 200) { $('status').textContent = 'Could not load the retention policy.'; return; }
    const data = await res.json();
    const body = $('policy').tBodies[0];
    for (const [cls, p] of Object.entries(data.policy)) {
      const tr = document.createElement('tr');
      tr.append(el('td', cls), el('td', human(p.seconds)), el('td', p.how));
      body.append(tr);
    }
    if (data.last) {
      $('last-none').hidden = true;
      const dl = $('last');
      dl.append(el('dt', 'Ran at'), el('dd', data.last.at));
      for (const [k, v] of Object.entries(data.last.counts)) dl.append(el('dt', k), el('dd', v));
    }
  })();
})();
