import { ref } from 'vue';
import { loadSession, saveSession } from './api/client';
import type { Role, Session } from './api/types';

/** The logged-in user for this browser tab (sessionStorage, as before the app). */
export const session = ref<Session | null>(loadSession());

export function signIn(value: Session): void {
  saveSession(value);
  session.value = value;
}

export function signOut(): void {
  saveSession(null);
  session.value = null;
}

/** Each role's landing page. */
export const homeOf: Record<Role, string> = {
  citizen: '/citizen/filings',
  staff: '/staff/tasks',
  supervisor: '/supervisor/escalations',
  coordinator: '/home',
  hospital: '/hospital/counter',
};
