import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { User } from '../../db/entities';
import { hashPassword, verifyPassword } from '../../db/password';
import { type CaseDeps, currentUser } from '../context';
import { HttpProblem } from '../problem';
import { LoginRequest } from '../schemas';
import { authenticate } from './middleware';
import { authUserOf, signToken } from './tokens';

export function authRouter(deps: CaseDeps): Router {
  const router = Router();
  // An unknown username costs the same scrypt as a wrong password, so timing does not reveal who exists.
  const unknownUserHash = hashPassword(randomUUID());
  router.post('/auth/login', async (req, res) => {
    const { username, password } = LoginRequest.parse(req.body);
    const user = await deps.orm.em.fork().findOne(User, { username });
    const matches = await verifyPassword(password, user?.password_hash ?? (await unknownUserHash));
    if (!user || !matches) {
      throw new HttpProblem(401, 'LOGIN_FAILED', '登录失败', '用户名或密码错误');
    }
    const auth = authUserOf(user);
    res.json({ token: signToken(deps.tokenSecret, auth), user: auth });
  });
  router.get('/me', authenticate(deps.tokenSecret), (_req, res) => {
    res.json(currentUser(res));
  });
  return router;
}
