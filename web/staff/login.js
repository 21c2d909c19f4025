// Staff sign-in: password, then the TOTP code. No inline script (strict CSP); nothing is kept in storage.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $('status').textContent = text; };
  async function post(path, body) {
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.status;
  }
  $('password-step').addEventListener('submit', async (e) => {
    e.preventDefault();
    status('');
    const code = await post('/api/staff/login', { email: $('email').value, password: $('password').value });
    $('password').value = '';
    if (code === 200) {
      $('password-step').hidden = true;
      $('totp-step').hidden = false;
      $('code').focus();
    } else status(code === 429 ? 'Too many attempts. Try again later.' : 'Sign-in failed.');
  });
  $('totp-step').addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = await post('/api/staff/login/totp', { code: $('code').value.trim() });
    $('code').value = '';
    if (code === 200) {
      // Each role has its own console: compliance and admins go to the compliance console, agents to theirs.
      const who = await fetch('/api/staff/session', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } }).then((r) => r.json()).catch(() => ({ roles: [] }));
      const roles = Array.isArray(who.roles) ? who.roles : [];
      window.location.assign(roles.includes('agent') || roles.includes('supervisor') ? '/staff/agent' : '/staff/compliance');
    }
    else if (code === 401 || code === 403) { status('Sign-in failed.'); $('totp-step').hidden = true; $('password-step').hidden = false; }
    else status(code === 429 ? 'Too many attempts. Try again later.' : 'Sign-in failed.');
  });
})();
