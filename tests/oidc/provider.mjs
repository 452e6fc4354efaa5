// A real OpenID Connect provider (oidc-provider from the npm registry) for Samenspel's integration
// tests: an organisation's identity provider, or a DigiD broker that asserts a BSN. It listens on a
// free port and prints `listening <issuer>`; then it reads one line of JSON from standard input (the
// test knows Samenspel's address only after it knows the issuer), starts the provider and prints
// `ready`. The line holds:
//
//   clients   list of clients: client_id, client_secret, redirect_uris, post_logout_redirect_uris
//   accounts  login name -> { password, claims: {...}, amr: [...], acr }
//   tamper    empty, "signature" or "claim": changes the ID token in every token response on its way
//             out (one character of the signature, or the email claim), as an attacker between
//             Samenspel and the provider would. Everything else is the provider's own work.
//
// The login page is this script's (the library leaves interactions to the application): a form with
// login name and password; on success the login (with the account's amr and acr) and the consent for
// the scopes asked are given at once.
import crypto from 'node:crypto';
import http from 'node:http';
import readline from 'node:readline';
import Provider from 'oidc-provider';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
console.log(`listening ${issuer}`);

const input = readline.createInterface({ input: process.stdin });
const [line] = await input[Symbol.asyncIterator]().next().then((r) => [r.value]);
const settings = JSON.parse(line);
const clients = settings.clients || [];
const accounts = settings.accounts || {};
const tamper = settings.tamper || '';
// The test ends this process when it is done; a closed input (the test gone) ends it too.
input.on('close', () => process.exit(0));

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  // Claims by scope go into the ID token (Samenspel reads only the signed ID token).
  conformIdTokenClaims: false,
  // How the user authenticated (amr, acr) goes with every ID token, as identity providers do.
  claims: {
    auth_time: null,
    sid: null,
    iss: null,
    openid: ['sub', 'amr', 'acr'],
    email: ['email', 'email_verified'],
    bsn: ['bsn'],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><html lang="nl"><head><title>Uitloggen</title></head><body>
          <h1>Wil je uitloggen bij ${ctx.host}?</h1>${form}
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Ja, uitloggen</button>
          </body></html>`;
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = '<!DOCTYPE html><html lang="nl"><head><title>Uitgelogd</title></head><body>Uitgelogd</body></html>';
      },
    },
  },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html><body><h1>${out.error}</h1><p>${out.error_description || ''}</p></body></html>`;
  },
});
provider.proxy = false;

const page = (title, body) => `<!DOCTYPE html><html lang="nl"><head><title>${title}</title></head><body>${body}</body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const form = details.prompt.name === 'login'
      ? `<form method="post" action="/interaction/${uid}/login">
           <label>Gebruiker <input name="login"></label>
           <label>Wachtwoord <input name="password" type="password"></label>
           <button type="submit">Inloggen</button></form>`
      : `<form method="post" action="/interaction/${uid}/consent"><button type="submit">Toestaan</button></form>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Inloggen', form));
    return;
  }
  const form = await readForm(req);
  let accountId = details.session?.accountId;
  const result = {};
  if (action === 'login') {
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Inloggen', '<p>Onbekende gebruiker of verkeerd wachtwoord</p>'));
      return;
    }
    accountId = form.login;
    result.login = { accountId, amr: account.amr, acr: account.acr };
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  result.consent = { grantId: await grant.save() };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// Changes the ID token of a token response as it leaves, when TAMPER asks for it.
function tampered(body) {
  const answer = JSON.parse(body);
  const [header, payload, signature] = answer.id_token.split('.');
  if (tamper === 'signature') {
    const last = signature.at(-2) === 'A' ? 'B' : 'A';
    answer.id_token = [header, payload, signature.slice(0, -2) + last + signature.at(-1)].join('.');
  } else if (tamper === 'claim') {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    claims.email = 'iemand.anders@zorgorg.example';
    answer.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  }
  return JSON.stringify(answer);
}

const handle = provider.callback();
server.on('request', async (req, res) => {
  const path = new URL(req.url, issuer).pathname;
  const match = path.match(/^\/interaction\/([^/]+)(?:\/(login|consent))?$/);
  try {
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    if (tamper && path === '/token' && req.method === 'POST') {
      const end = res.end.bind(res);
      res.end = (chunk, ...rest) => {
        if (res.statusCode === 200 && chunk) {
          const changed = tampered(chunk.toString());
          res.setHeader('content-length', Buffer.byteLength(changed));
          return end(changed, ...rest);
        }
        return end(chunk, ...rest);
      };
    }
    handle(req, res);
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(e));
  }
});

console.log('ready');
