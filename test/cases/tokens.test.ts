import { type AuthUser, signToken, verifyToken } from '../../api/auth/tokens';

const user: AuthUser = {
  id: '00000000-0000-0000-0000-000000000001',
  username: 'staff-ah',
  display_name: '周敏',
  role: 'staff',
  prov_admdvs: '340000',
  psn_no: null,
  fixmedins_code: null,
};

test('a token verifies with its secret and carries role and province scope', () => {
  expect(verifyToken('s', signToken('s', user))).toEqual(user);
});

test('another secret, a changed payload or an expired token is refused', () => {
  const token = signToken('s', user, 60, 1_000_000);
  expect(verifyToken('other', token, 1_000_000)).toBeUndefined();
  const [body, mac] = token.split('.') as [string, string];
  const forged = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), prov_admdvs: '460000' }),
  ).toString('base64url');
  expect(verifyToken('s', `${forged}.${mac}`, 1_000_000)).toBeUndefined();
  expect(verifyToken('s', token, 1_000_000 + 61_000)).toBeUndefined();
  expect(verifyToken('s', 'garbage', 1_000_000)).toBeUndefined();
});

test('a token has one encoding: its signature re-encoded as standard base64, or padded, is refused', () => {
  // A signature with a character where base64url and base64 differ (`-`/`_` against `+`/`/`).
  let token = '';
  for (let ttl = 60; !/[-_]/.test(token.split('.')[1] ?? ''); ttl++)
    token = signToken('s', user, ttl, 1_000_000);
  const [body, mac] = token.split('.') as [string, string];
  const standard = Buffer.from(mac, 'base64url').toString('base64');
  expect(verifyToken('s', token, 1_000_000)).toEqual(user);
  expect(verifyToken('s', `${body}.${standard}`, 1_000_000)).toBeUndefined();
  expect(verifyToken('s', `${body}.${standard.replace(/=+$/, '')}`, 1_000_000)).toBeUndefined();
  expect(verifyToken('s', `${body}.${mac}=`, 1_000_000)).toBeUndefined();
});
