import type { Client } from '@temporalio/client';
import type { NextFunction, Request, Response } from 'express';
import type { Orm } from '../db/orm';
import type { AuthUser } from './auth/tokens';

/** What the case routes need: the database, a Temporal client and the token secret. */
export interface CaseDeps {
  orm: Orm;
  temporal: Client;
  taskQueue: string;
  tokenSecret: string;
  log: (message: string) => void;
}

export function currentUser(res: Response): AuthUser {
  const user = res.locals.user as AuthUser | undefined;
  if (!user) throw new Error('route mounted without authenticate()');
  return user;
}

export type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;
