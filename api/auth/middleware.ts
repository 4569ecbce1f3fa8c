import type { RequestHandler } from 'express';
import type { Role } from '../../db/entities';
import { currentUser } from '../context';
import { HttpProblem } from '../problem';
import { verifyToken } from './tokens';

const ROLE_NAMES: Record<string, string> = {
  citizen: '参保人',
  staff: '经办人员',
  supervisor: '经办主管',
  coordinator: '协同人员',
  hospital: '定点医疗机构',
};

export function authenticate(secret: string): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match?.[1] ? verifyToken(secret, match[1]) : undefined;
    if (!user) {
      throw new HttpProblem(
        401,
        'UNAUTHENTICATED',
        '未登录',
        '请先登录，并以 `Authorization: Bearer <令牌>` 发送令牌；令牌可能已过期',
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
        '无权操作',
        `此操作仅限 ${roles.map((r) => ROLE_NAMES[r] ?? r).join('、')}，当前身份为${ROLE_NAMES[user.role] ?? user.role}`,
      );
    }
    next();
  };
}
