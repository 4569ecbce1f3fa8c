import { createApp } from 'vue';
import App from './App.vue';
import { setUnauthenticatedHandler } from './api/client';
import { useElement } from './element';
import { router } from './router';
import { signOut } from './session';
import { loadVocabulary } from './vocabulary';
import './style.css';

setUnauthenticatedHandler(() => {
  signOut();
  void router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
});

/**
 * The labels come from the server (`GET /api/v1/vocabulary`): the app is mounted once they are there,
 * so no page shows a raw code. While the server cannot be reached, the page says so and tries again.
 */
async function start(): Promise<void> {
  const root = document.getElementById('app');
  for (let attempt = 0; ; attempt++) {
    try {
      await loadVocabulary();
      break;
    } catch {
      if (root) root.textContent = '无法连接服务器，正在重试……';
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** attempt, 10_000)));
    }
  }
  if (root) root.textContent = '';
  const app = createApp(App);
  useElement(app);
  app.use(router);
  app.mount('#app');
}

void start();
