import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Role } from './api/types';
import { homeOf, session } from './session';

declare module 'vue-router' {
  interface RouteMeta {
    roles?: Role[];
    title?: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => (session.value ? homeOf[session.value.user.role] : '/login') },
  {
    path: '/login',
    name: 'login',
    component: () => import('./pages/LoginPage.vue'),
    meta: { title: '登录' },
  },
  {
    path: '/home',
    component: () => import('./pages/HomePage.vue'),
    meta: { roles: ['coordinator', 'hospital'], title: '首页' },
  },
  {
    path: '/citizen/filings',
    name: 'filings',
    component: () => import('./pages/citizen/FilingsPage.vue'),
    meta: { roles: ['citizen'], title: '我的备案' },
  },
  {
    path: '/citizen/filings/:id',
    name: 'filing',
    component: () => import('./pages/citizen/CasePage.vue'),
    props: true,
    meta: { roles: ['citizen'], title: '备案详情' },
  },
  {
    path: '/citizen/stays',
    name: 'stays',
    component: () => import('./pages/citizen/StaysPage.vue'),
    meta: { roles: ['citizen'], title: '我的住院' },
  },
  {
    path: '/citizen/stays/:id',
    name: 'stay',
    component: () => import('./pages/citizen/StayPage.vue'),
    props: true,
    meta: { roles: ['citizen'], title: '住院详情' },
  },
  {
    path: '/hospital/counter',
    name: 'counter',
    component: () => import('./pages/hospital/CounterPage.vue'),
    meta: { roles: ['hospital'], title: '住院结算' },
  },
  {
    path: '/staff/tasks',
    name: 'tasks',
    component: () => import('./pages/staff/QueuePage.vue'),
    meta: { roles: ['staff', 'supervisor'], title: '待办' },
  },
  {
    path: '/staff/tasks/:id',
    name: 'review',
    component: () => import('./pages/staff/ReviewPage.vue'),
    props: true,
    meta: { roles: ['staff', 'supervisor'], title: '审核' },
  },
  {
    path: '/supervisor/escalations',
    name: 'escalations',
    component: () => import('./pages/supervisor/EscalationsPage.vue'),
    meta: { roles: ['supervisor'], title: '督办' },
  },
  {
    path: '/coordination/tickets',
    name: 'tickets',
    component: () => import('./pages/coordination/TicketBoardPage.vue'),
    meta: { roles: ['coordinator', 'staff', 'supervisor'], title: '问题协同' },
  },
  {
    path: '/coordination/tickets/:id',
    name: 'ticket',
    component: () => import('./pages/coordination/TicketPage.vue'),
    props: true,
    meta: { roles: ['coordinator', 'staff', 'supervisor'], title: '结算报错工单' },
  },
  {
    path: '/coordination/fee-checks',
    name: 'fee-checks',
    component: () => import('./pages/coordination/FeeChecksPage.vue'),
    meta: { roles: ['coordinator', 'staff', 'supervisor'], title: '费用协查' },
  },
  {
    path: '/coordination/clearing',
    name: 'clearing',
    component: () => import('./pages/coordination/ClearingPage.vue'),
    meta: { roles: ['coordinator', 'staff', 'supervisor'], title: '清算' },
  },
  {
    path: '/monitoring',
    name: 'monitoring',
    component: () => import('./pages/coordination/MonitoringPage.vue'),
    meta: { roles: ['coordinator', 'staff', 'supervisor'], title: '运行监测' },
  },
  // The pages before the app: old links and bookmarks keep working.
  { path: '/index.html', redirect: '/' },
  { path: '/login.html', redirect: '/login' },
  {
    path: '/filings.html',
    redirect: (to) => (to.query.id ? `/citizen/filings/${to.query.id}` : '/citizen/filings'),
  },
  { path: '/queue.html', redirect: '/staff/tasks' },
  {
    path: '/review.html',
    redirect: (to) => (to.query.task ? `/staff/tasks/${to.query.task}` : '/staff/tasks'),
  },
  { path: '/escalations.html', redirect: '/supervisor/escalations' },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { title: '页面不存在' },
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  const roles = to.meta.roles;
  if (!roles) return true;
  if (!session.value) return { name: 'login', query: { redirect: to.fullPath } };
  if (!roles.includes(session.value.user.role)) return homeOf[session.value.user.role];
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title ?? ''} · 异地就医经办`;
});
