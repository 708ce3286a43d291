// A real OpenID provider (panva's oidc-provider) on loopback for the single sign-on tests.
//
// Environment (all required): OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URIS (comma-separated) and OIDC_ACCOUNTS_FILE, a JSON object
// {"<sub>": {"email": ..., "email_verified": ..., "name": ..., "locale": ..., "groups": [...]}}.
// The file is read at every sign-in, so a test can change a person's claims between logins.
// Once listening it prints one JSON line {"issuer": ...} on stdout.
//
// Sign-in uses oidc-provider's development interactions: a form that takes any login (the
// account's sub) and any password. Consent is granted up front for the one client, as an
// administrator does for a company's own applications, so only the login form appears.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`server.js: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const port = Number(env('OIDC_PORT'));
const clientId = env('OIDC_CLIENT_ID');
const accountsFile = env('OIDC_ACCOUNTS_FILE');
const issuer = `http://127.0.0.1:${port}`;
const scopes = ['openid', 'email', 'profile', 'groups'];

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: env('OIDC_CLIENT_SECRET'),
    redirect_uris: env('OIDC_REDIRECT_URIS').split(','),
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes,
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'locale', 'department'],
    groups: ['groups'],
  },
  async findAccount(ctx, sub) {
    const accounts = JSON.parse(readFileSync(accountsFile, 'utf8'));
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return { accountId: sub, claims: async () => ({ ...accounts[sub], sub }) };
  },
  async loadExistingGrant(ctx) {
    const accountId = ctx.oidc.session.accountId;
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
    grant.addOIDCScope(scopes.join(' '));
    await grant.save();
    return grant;
  },
  // Random per start: nothing signed here outlives the test run.
  cookies: { keys: [crypto.randomUUID()] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
// Sign-in and logout both end with a fresh session; tests log in several people in a row.
provider.on('server_error', (ctx, error) => console.error('server_error', error));

provider.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ issuer }));
});
