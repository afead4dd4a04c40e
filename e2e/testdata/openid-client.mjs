// Drives the sandbox's Cognito user pool and OpenID provider with panva's
// openid-client (a client that shares nothing with cdflogin): discovery,
// client credentials (Basic for Cognito, post for OIDC), the device flow
// and a refresh. Settings come as JSON in SANDBOX; every step prints one
// JSON line on stdout; the Go test approves the device code it prints.
import * as client from 'openid-client';

const env = JSON.parse(process.env.SANDBOX);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const cognito = await client.discovery(new URL(env.cognito_issuer), env.cognito_client_id, undefined,
  client.ClientSecretBasic(env.cognito_secret));
const cc = await client.clientCredentialsGrant(cognito, { scope: env.cognito_scope });
out({ step: 'cognito_cc', access_token: cc.access_token,
  device_endpoint: cognito.serverMetadata().device_authorization_endpoint ?? null });

const robot = await client.discovery(new URL(env.oidc_issuer), env.oidc_client_id, undefined,
  client.ClientSecretPost(env.oidc_secret));
const rc = await client.clientCredentialsGrant(robot, { audience: env.audience });
out({ step: 'oidc_cc', access_token: rc.access_token });

const cli = await client.discovery(new URL(env.oidc_issuer), env.oidc_public_id, undefined, client.None());
const da = await client.initiateDeviceAuthorization(cli, { scope: 'openid offline_access', audience: env.audience });
out({ step: 'device', user_code: da.user_code, interval: da.interval });
const tok = await client.pollDeviceAuthorizationGrant(cli, da);
out({ step: 'device_token', access_token: tok.access_token, sub: tok.claims().sub });
const fresh = await client.refreshTokenGrant(cli, tok.refresh_token);
out({ step: 'refreshed', access_token: fresh.access_token, rotated: fresh.refresh_token !== tok.refresh_token });
