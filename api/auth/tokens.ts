import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role, User } from '../../db/entities';

/** Who is calling, as the signed token says: role and scope travel with it, so no lookup per request. */
export interface AuthUser {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  prov_admdvs: string | null;
  psn_no: string | null;
  fixmedins_code: string | null;
}

/** The caller a user row stands for (no password hash): what a token carries. */
export function authUserOf(user: User): AuthUser {
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    role: user.role,
    prov_admdvs: user.prov_admdvs ?? null,
    psn_no: user.psn_no ?? null,
    fixmedins_code: user.fixmedins_code ?? null,
  };
}

interface TokenPayload extends AuthUser {
  exp: number;
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** `<payload>.<HMAC-SHA256>`, both base64url: a JWT's idea without its algorithm negotiation. */
export function signToken(secret: string, user: AuthUser, ttlSeconds = 12 * 3600, now = Date.now()): string {
  const payload: TokenPayload = { ...user, exp: Math.floor(now / 1000) + ttlSeconds };
  const body = b64(JSON.stringify(payload));
  return `${body}.${b64(mac(secret, body))}`;
}

/** The token's user, or undefined when it is forged, malformed or expired. */
export function verifyToken(secret: string, token: string, now = Date.now()): AuthUser | undefined {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  // Compared as text, not decoded bytes: a token has one encoding, so a signature re-encoded as
  // standard base64 or padded (which Buffer would decode to the same bytes) is refused.
  const expected = Buffer.from(b64(mac(secret, body)));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  try {
    const { exp, ...user } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    if (typeof exp !== 'number' || exp * 1000 <= now) return undefined;
    return user;
  } catch {
    return undefined;
  }
}
