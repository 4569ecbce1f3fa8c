// The task list behind 待办 (queue.html) and 督办 (escalations.html).
import { api, badge, esc, fmt, nav, requireSession } from '/app.js';

// The page says who may see it and which view it is: 待办 (staff and supervisors) or 督办 (supervisors).
requireSession(document.body.dataset.roles.split(','));
nav();
const escalations = document.body.dataset.view === 'escalations';
let page = 1;
async function load() {
  const form = new FormData(document.querySelector('#filters'));
  const q = new URLSearchParams({ page: String(page), page_size: '20' });
  const status = escalations ? 'escalated' : form.get('status');
  if (status) q.set('status', status);
  if (form.get('mine') === 'on') q.set('mine', 'true');
  if (form.get('psn_no')) q.set('psn_no', form.get('psn_no'));
  const { items, total } = await api('GET', `/tasks?${q}`);
  document.querySelector('#tasks tbody').innerHTML =
    items
      .map(
        (t) =>
          `<tr><td><a href="/review.html?task=${encodeURIComponent(t.id)}">${esc(t.case_id)}</a> ${badge(t.kind, 'task_kind')}</td><td>${esc(
            t.summary.psn_no,
          )}</td><td>${esc(t.summary.diag_name ?? t.summary.reason ?? '')}</td><td>${badge(t.status)}</td><td>${fmt(t.due_at)}</td><td>${esc(
            t.assignee ?? '',
          )}</td></tr>`,
      )
      .join('') || '<tr><td colspan="6">暂无任务</td></tr>';
  document.querySelector('#pageinfo').textContent = `第 ${page} 页 · 共 ${total} 条`;
}
document.querySelector('#filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  page = 1;
  load();
});
document.querySelector('#prev').addEventListener('click', () => {
  if (page > 1) {
    page -= 1;
    load();
  }
});
document.querySelector('#next').addEventListener('click', () => {
  page += 1;
  load();
});
await load();
setInterval(() => load().catch(() => {}), 3000);
