// Shared by every page: the token (per browser tab session), API calls, Chinese labels, rendering.

// The labels come from the API's vocabulary (cases/labels.ts), never copied here; loaded once per page.
export const vocabulary = await fetch('/api/v1/vocabulary').then((res) => res.json());
const l = vocabulary.labels;
export const labels = {
  category: l.category,
  // One status namespace for badges: a filing's own label wins where a referral's or a task's shares its code.
  status: { ...l.task_status, ...l.referral_status, ...l.filing_status },
  decision: l.decision,
  event: l.event,
  task_kind: l.task_kind,
  task_role: l.task_role,
};

export const label = (kind, value) => labels[kind]?.[value] ?? value ?? '';

export function session() {
  const raw = sessionStorage.getItem('yidi.session');
  return raw ? JSON.parse(raw) : null;
}

export function requireSession(roles) {
  const s = session();
  if (!s || (roles && !roles.includes(s.user.role))) {
    location.href = '/login.html';
    throw new Error('not logged in');
  }
  return s;
}

export async function api(method, path, body, headers = {}) {
  const s = session();
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(s ? { authorization: `Bearer ${s.token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) {
    const lines = [data?.title ?? `HTTP ${res.status}`];
    if (data?.errors) for (const e of data.errors) lines.push(`${e.path}: ${e.message}`);
    else if (data?.detail) lines.push(data.detail);
    const error = new Error(lines.join('\n'));
    error.status = res.status;
    throw error;
  }
  return data;
}

export const el = (html) => {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
};

export const esc = (v) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

let places = new Map();
/** Loads the region names once per page; `place` then shows "成都市 510100" rather than a bare code. */
export async function loadPlaces() {
  const { items } = await api('GET', '/admdvs');
  places = new Map(items.map((a) => [a.admdvs, a.admdvs_name]));
}
export const place = (code) => (places.has(code) ? `${places.get(code)} ${code}` : (code ?? ''));

export const fmt = (iso) => (iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '');

export const badge = (value, kind = 'status') =>
  `<span class="badge ${esc(value)}">${esc(label(kind, value))}</span>`;

export function timeline(events) {
  return `<ol class="timeline">${events
    .map((e) => {
      const d = e.detail ?? {};
      const extra = [
        d.reason,
        d.questions,
        d.memo,
        d.answer,
        d.trt_dcla_detl_sn,
        d.decision && label('decision', d.decision),
      ]
        .filter(Boolean)
        .map(esc)
        .join(' · ');
      return `<li data-kind="${esc(e.kind)}"><time datetime="${esc(e.at)}">${fmt(e.at)}</time><strong>${esc(
        label('event', e.kind),
      )}</strong> <small class="en">${esc(e.actor)}</small>${extra ? ` — ${extra}` : ''}</li>`;
    })
    .join('')}</ol>`;
}

/** The header navigation for the logged-in user's role. */
export function nav() {
  const s = session();
  const links =
    {
      citizen: [['/filings.html', '我的备案']],
      staff: [['/queue.html', '待办']],
      supervisor: [
        ['/escalations.html', '督办'],
        ['/queue.html', '待办'],
      ],
    }[s?.user.role] ?? [];
  const header = document.querySelector('header');
  const n = el(
    `<nav>${links.map(([href, text]) => `<a href="${href}">${text}</a>`).join('')}<span class="who">${esc(
      s ? `${s.user.display_name} (${s.user.role})` : '',
    )}</span>${s ? '<a href="#" id="logout">退出</a>' : '<a href="/login.html">登录</a>'}</nav>`,
  );
  header.append(n);
  n.querySelector('#logout')?.addEventListener('click', (ev) => {
    ev.preventDefault();
    sessionStorage.removeItem('yidi.session');
    location.href = '/login.html';
  });
}
