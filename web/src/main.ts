import { createApp } from 'vue';
import App from './App.vue';
import { setUnauthenticatedHandler } from './api/client';
import { useElement } from './element';
import { router } from './router';
import { signOut } from './session';
import './style.css';

setUnauthenticatedHandler(() => {
  signOut();
  void router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath } });
});

const app = createApp(App);
useElement(app);
app.use(router);
app.mount('#app');
