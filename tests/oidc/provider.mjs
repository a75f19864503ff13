// A real OpenID provider (panva's certified oidc-provider) for the console's sign-in tests.
//
//   OIDC_PORT=4100 OIDC_CLIENT='{"client_id": ..., "client_secret": ..., "redirect_uris": [...],
//     "post_logout_redirect_uris": [...]}' node provider.mjs
//
// Serves http://127.0.0.1:$OIDC_PORT with discovery, PKCE-only authorization code flow, a
// userinfo endpoint and RP-initiated logout. People sign in on a plain HTML form (no scripts, no
// outside fonts) with the usernames and passwords of accounts.json; their `groups` claim comes
// with the `groups` scope. Consent is implied for the one static (first-party) client. Prints
// "ready <issuer>" when it listens, and stops on SIGTERM.
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const client = JSON.parse(process.env.OIDC_CLIENT);
const accounts = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url)));
const bySubject = Object.fromEntries(Object.values(accounts).map((a) => [a.claims.sub, a]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)} · Harbor Light staff sign-in</title>
<style>body{font-family:sans-serif;max-width:26rem;margin:3rem auto}label,input,button{display:block;margin:.4rem 0}
input{width:100%;padding:.4rem}button{padding:.5rem 1rem}.error{color:#a00}</style></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

const signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const provider = new Provider(issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  }],
  jwks: { keys: [{ ...signingKey.export({ format: 'jwk' }), kid: 'test-signing-key', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out of Harbor Light staff sign-in?',
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => { ctx.body = page('Signed out', '<p>You are signed out.</p>'); },
    },
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // One first-party client: staff are not asked to consent to their own employer's console.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const account = bySubject[sub];
    return account && { accountId: sub, claims: async () => ({ ...account.claims }) };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
});

const loginForm = (uid, error) => page('Staff sign-in', `${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`);

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid || details.prompt.name !== 'login') {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('unexpected interaction');
    return;
  }
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(loginForm(uid));
    return;
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const form = new URLSearchParams(body);
  const account = accounts[form.get('username')];
  if (!account || account.password !== form.get('password')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(uid, 'Wrong username or password.'));
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: account.claims.sub } }, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const found = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
  if (!found) return handle(req, res);
  return interaction(req, res, found[1]).catch((error) => {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`sign-in failed: ${error.message}`);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
