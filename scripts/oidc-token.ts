// What the article's curl commands do, for operators who need an OIDC token by
// hand: password grant, refresh, introspection against the issuer named in an
// OIDC user's kubeconfig. Secrets never go on the command line: the password
// comes from KUBE_ACCESS_OIDC_PASSWORD or a prompt, a refresh token or token
// to introspect from KUBE_ACCESS_OIDC_TOKEN or standard input.
//
// Client types (kube-access:oidc.clientType): the password and refresh grants
// work with the default public client, which has no secret. Introspection
// needs a confidential client: its secret comes from the kubeconfig (where a
// confidential client's kubeconfigs carry it) or KUBE_ACCESS_OIDC_CLIENT_SECRET.
// The password grant needs oidc.directAccessGrants: true.
//
//   npm run oidc-token -- --kubeconfig <file> --username <user>   # password grant
//   npm run oidc-token -- --kubeconfig <file> --refresh           # refresh grant
//   npm run oidc-token -- --kubeconfig <file> --introspect        # token introspection
//
// Prints the answer's fields as KEY=value lines (ID_TOKEN, ACCESS_TOKEN,
// REFRESH_TOKEN, EXPIRES_IN; ACTIVE, USERNAME, GROUPS, EXP). Exit code 2 on
// any error.
import * as fs from "fs";
import { parseArgs } from "util";
import { form, httpsRequest } from "./lib/https";
import { OidcClientSettings, oidcClientSettings } from "./lib/oidcKubeconfig";
import { fromStartedIn } from "./lib/projectFolder";

function fail(message: string): never {
    console.error(`oidc-token: ${message}`);
    process.exit(2);
}

/** POSTs a form to the issuer's `endpoint` (below the issuer URL); the answer's JSON, or an error with status and body. */
async function post(
    client: OidcClientSettings,
    endpoint: string,
    fields: Record<string, string>,
    basicAuth?: string,
): Promise<Record<string, unknown>> {
    const { headers, body } = form(fields);
    if (basicAuth) headers.Authorization = `Basic ${Buffer.from(basicAuth).toString("base64")}`;
    const response = await httpsRequest(`${client.issuerUrl}${endpoint}`, {
        method: "POST",
        headers,
        body,
        ca: client.caCertificatePem,
    });
    if (response.status !== 200) throw new Error(`${response.status}: ${response.body}`);
    return JSON.parse(response.body);
}

/** A secret from the environment, else standard input (a prompt without echo on a terminal). */
async function secretInput(envName: string, prompt: string): Promise<string> {
    if (process.env[envName]) return process.env[envName]!;
    if (!process.stdin.isTTY) return fs.readFileSync(0, "utf8").trim();
    process.stderr.write(prompt);
    return new Promise((resolve) => {
        let text = "";
        process.stdin.setRawMode(true);
        process.stdin.on("data", (c) => {
            const s = c.toString();
            if (s === "\r" || s === "\n") {
                process.stdin.setRawMode(false);
                process.stdin.pause();
                process.stderr.write("\n");
                resolve(text);
            } else if (s === "\u0003") process.exit(130);
            else text += s;
        });
    });
}

function show(tokens: Record<string, unknown>): void {
    for (const key of [
        "id_token",
        "access_token",
        "refresh_token",
        "expires_in",
        "active",
        "username",
        "groups",
        "exp",
    ]) {
        const value = tokens[key];
        if (value !== undefined) console.log(`${key.toUpperCase()}=${Array.isArray(value) ? value.join(",") : value}`);
    }
}

async function main(argv: string[]): Promise<void> {
    const { values } = parseArgs({
        args: argv,
        options: {
            kubeconfig: { type: "string" },
            username: { type: "string" },
            refresh: { type: "boolean", default: false },
            introspect: { type: "boolean", default: false },
        },
        strict: true,
    });
    if (!values.kubeconfig) fail("--kubeconfig <file> is required");
    // A relative path is taken from where the command was started (npm runs scripts in the checkout).
    const client = oidcClientSettings(fs.readFileSync(fromStartedIn(values.kubeconfig), "utf8"));
    const clientSecret = process.env.KUBE_ACCESS_OIDC_CLIENT_SECRET || client.clientSecret;
    // A public client identifies itself by id alone; a confidential one adds its secret.
    const clientFields = { client_id: client.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
    if (values.refresh) {
        const refresh = await secretInput("KUBE_ACCESS_OIDC_TOKEN", "refresh token: ");
        show(
            await post(client, "/protocol/openid-connect/token", {
                grant_type: "refresh_token",
                refresh_token: refresh,
                ...clientFields,
            }),
        );
    } else if (values.introspect) {
        if (!clientSecret) {
            fail(
                "token introspection needs a confidential client, and this kubeconfig's client is public (no secret); " +
                    "set kube-access:oidc.clientType to confidential, or give the secret in KUBE_ACCESS_OIDC_CLIENT_SECRET",
            );
        }
        const token = await secretInput("KUBE_ACCESS_OIDC_TOKEN", "token: ");
        show(
            await post(
                client,
                "/protocol/openid-connect/token/introspect",
                { token },
                `${client.clientId}:${clientSecret}`,
            ),
        );
    } else {
        const username = values.username ?? fail("--username is required for the password grant");
        const password = await secretInput("KUBE_ACCESS_OIDC_PASSWORD", `password of ${username}: `);
        show(
            await post(client, "/protocol/openid-connect/token", {
                grant_type: "password",
                scope: "openid",
                username,
                password,
                ...clientFields,
            }),
        );
    }
}

main(process.argv.slice(2)).catch((e: Error) => fail(e.message));
