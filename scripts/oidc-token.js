#!/usr/bin/env node
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
//   node scripts/oidc-token.js --kubeconfig <file> --username <user>   # password grant
//   node scripts/oidc-token.js --kubeconfig <file> --refresh           # refresh grant
//   node scripts/oidc-token.js --kubeconfig <file> --introspect        # token introspection
const fs = require("fs");
const https = require("https");
const YAML = require("yaml");

function fail(message) {
    console.error(`oidc-token: ${message}`);
    process.exit(2);
}

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const value = (name) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
};
const kubeconfigPath = value("kubeconfig") || fail("--kubeconfig <file> is required");
const user = YAML.parse(fs.readFileSync(kubeconfigPath, "utf8")).users[0].user;
const settings = {};
if (user.exec) {
    for (const arg of user.exec.args) {
        const m = /^--([a-z-]+)=(.*)$/.exec(arg);
        if (m) settings[m[1]] = m[2];
    }
} else if (user["auth-provider"]) {
    const c = user["auth-provider"].config;
    Object.assign(settings, {
        "oidc-issuer-url": c["idp-issuer-url"],
        "oidc-client-id": c["client-id"],
        "oidc-client-secret": c["client-secret"],
        "certificate-authority-data": c["idp-certificate-authority-data"],
    });
} else fail("the kubeconfig has no OIDC user (exec kubelogin or auth-provider oidc)");
const issuer = settings["oidc-issuer-url"];
const ca = settings["certificate-authority-data"]
    ? Buffer.from(settings["certificate-authority-data"], "base64")
    : undefined;

function post(path, fields, basicAuth) {
    const body = new URLSearchParams(fields).toString();
    const headers = { "Content-Type": "application/x-www-form-urlencoded" };
    if (basicAuth) headers.Authorization = `Basic ${Buffer.from(basicAuth).toString("base64")}`;
    return new Promise((resolve, reject) => {
        const req = https.request(`${issuer}${path}`, { method: "POST", headers, ca }, (res) => {
            let text = "";
            res.on("data", (c) => (text += c));
            res.on("end", () =>
                res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode}: ${text}`)),
            );
        });
        req.on("error", reject);
        req.end(body);
    });
}

async function secretInput(envName, prompt) {
    if (process.env[envName]) return process.env[envName];
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

function show(tokens) {
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
        if (tokens[key] !== undefined)
            console.log(`${key.toUpperCase()}=${Array.isArray(tokens[key]) ? tokens[key].join(",") : tokens[key]}`);
    }
}

async function main() {
    const clientSecret = process.env.KUBE_ACCESS_OIDC_CLIENT_SECRET || settings["oidc-client-secret"];
    // A public client identifies itself by id alone; a confidential one adds its secret.
    const client = { client_id: settings["oidc-client-id"], ...(clientSecret ? { client_secret: clientSecret } : {}) };
    if (flag("refresh")) {
        const refresh = await secretInput("KUBE_ACCESS_OIDC_TOKEN", "refresh token: ");
        show(
            await post("/protocol/openid-connect/token", {
                grant_type: "refresh_token",
                refresh_token: refresh,
                ...client,
            }),
        );
    } else if (flag("introspect")) {
        if (!clientSecret) {
            fail(
                "token introspection needs a confidential client, and this kubeconfig's client is public (no secret); " +
                    "set kube-access:oidc.clientType to confidential, or give the secret in KUBE_ACCESS_OIDC_CLIENT_SECRET",
            );
        }
        const token = await secretInput("KUBE_ACCESS_OIDC_TOKEN", "token: ");
        show(await post("/protocol/openid-connect/token/introspect", { token }, `${client.client_id}:${clientSecret}`));
    } else {
        const username = value("username") || fail("--username is required for the password grant");
        const password = await secretInput("KUBE_ACCESS_OIDC_PASSWORD", `password of ${username}: `);
        show(
            await post("/protocol/openid-connect/token", {
                grant_type: "password",
                scope: "openid",
                username,
                password,
                ...client,
            }),
        );
    }
}

main().catch((e) => fail(e.message));
