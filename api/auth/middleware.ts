import type { RequestHandler } from 'express';
import type { Role } from '../../db/entities';
import { currentUser } from '../context';
import { HttpProblem } from '../problem';
import { verifyToken } from './tokens';

export function authenticate(secret: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match?.[1] ? verifyToken(secret, match[1]) : undefined;
    if (!user) {
      throw new HttpProblem(
        401,
        'UNAUTHENTICATED',
        'Unauthenticated',
        'log in and send the token as `Authorization: Bearer …`',
      );
    }
    res.locals.user = user;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (_req, res, next) => {
    const user = currentUser(res);
    if (!roles.includes(user.role)) {
      throw new HttpProblem(
        403,
        'FORBIDDEN_ROLE',
        'Forbidden',
        `this action is for ${roles.join(' or ')}, not ${user.role}`,
      );
    }
    next();
  };
}
