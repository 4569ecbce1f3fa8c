import type { Express } from 'express';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../db/seed-data';

/** Logs demo users in once each: `login(username)` gives their token (cached for the test file). */
export function demoLogins(app: () => Express): (username: string) => Promise<string> {
  const tokens = new Map<string, string>();
  return async (username) => {
    const cached = tokens.get(username);
    if (cached) return cached;
    const res = await request(app())
      .post('/api/v1/auth/login')
      .send({ username, password: DEMO_PASSWORD })
      .expect(200);
    tokens.set(username, res.body.token);
    return res.body.token as string;
  };
}
