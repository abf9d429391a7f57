// The live view's tenant picker: with Tenants declared, a link to each tenant's view
// (/?tenant=<namespace>), the one shown marked; nothing without Tenants. Values from the server
// only ever become text (textContent), as in live-view.js.
'use strict';

(function () {
  const shown = new URLSearchParams(location.search).get('tenant');
  fetch('/api/tenants', { credentials: 'same-origin', cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : { tenants: [] }))
    .then(({ tenants }) => {
      if (!Array.isArray(tenants) || tenants.length === 0) return;
      const current = shown ?? tenants[0].namespace;
      const list = document.createElement('ul');
      for (const t of tenants) {
        const a = document.createElement('a');
        a.href = `/?tenant=${encodeURIComponent(t.namespace)}`;
        a.textContent = t.namespace;
        if (t.namespace === current) a.setAttribute('aria-current', 'page');
        if (t.displayName) {
          const name = document.createElement('span');
          name.className = 'muted';
          name.textContent = ` (${t.displayName})`;
          a.append(name);
        }
        const li = document.createElement('li');
        li.append(a);
        list.append(li);
      }
      const nav = document.createElement('nav');
      nav.id = 'tenants';
      nav.className = 'tenants';
      nav.setAttribute('aria-label', 'tenants');
      nav.append('Tenant: ', list);
      document.querySelector('header.top').append(nav);
    })
    .catch(() => undefined);
})();
