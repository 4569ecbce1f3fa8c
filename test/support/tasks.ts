import type { Express } from 'express';
import request from 'supertest';
import type { z } from 'zod';
import type { TaskDecision } from '../../api/schemas';

type Auth = { Authorization: string };

/** A reviewer claims a human task through the API (200 expected). */
export async function claimTask(app: Express, taskId: string, auth: Auth): Promise<void> {
  await request(app).post(`/api/v1/tasks/${taskId}/claim`).set(auth).expect(200);
}

/** The reviewer who claimed the task decides it through the API (default: approve; 200 expected). */
export async function decideTask(
  app: Express,
  taskId: string,
  auth: Auth,
  decision: z.input<typeof TaskDecision> = { decision: 'approve' },
): Promise<void> {
  await request(app).post(`/api/v1/tasks/${taskId}/decision`).set(auth).send(decision).expect(200);
}

/** A staff reviewer claims and decides a human task, as the 工作台 does. */
export async function decideAsStaff(
  app: Express,
  taskId: string,
  auth: Auth,
  decision?: z.input<typeof TaskDecision>,
): Promise<void> {
  await claimTask(app, taskId, auth);
  await decideTask(app, taskId, auth, decision);
}
