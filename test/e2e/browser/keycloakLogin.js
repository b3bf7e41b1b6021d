/*
 * A stand-in for the browser opener (`xdg-open`) that kubelogin runs, for the
 * end-to-end suite: it opens the URL kubelogin hands it, fills in Keycloak's
 * own login form with the user name and password from the environment, and
 * follows the redirect back to kubelogin's local server, as a person's browser
 * would. Each call appends the opened URL's host to $KUBE_ACCESS_TEST_BROWSER_LOG.
 *
 * Environment: KUBE_ACCESS_TEST_BROWSER_USERNAME, KUBE_ACCESS_TEST_BROWSER_PASSWORD,
 * KUBE_ACCESS_TEST_BROWSER_LOG, and NODE_EXTRA_CA_CERTS for Keycloak's CA.
 */
const fs = require("fs");

const cookies = new Map();

function remember(response) {
    for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(";");
        const at = pair.indexOf("=");
        cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
}

async function request(url, init = {}) {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(url, {
        ...init,
        redirect: "manual",
        headers: { ...(init.headers ?? {}), ...(cookie ? { Cookie: cookie } : {}) },
    });
    remember(response);
    return response;
}

/** Follows redirects from `url`; returns the first page that is not a redirect. */
async function browse(url, init) {
    let response = await request(url, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
        if (hops > 10) throw new Error("too many redirects");
        url = new URL(response.headers.get("location"), url).toString();
        response = await request(url);
    }
    return { url, response, body: await response.text() };
}

const decode = (s) =>
    s
        .replace(/&amp;/g, "&")
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");

async function main() {
    const [url] = process.argv.slice(2);
    fs.appendFileSync(process.env.KUBE_ACCESS_TEST_BROWSER_LOG, `${new URL(url).host}\n`);
    const login = await browse(url);
    const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(login.body);
    if (!action) throw new Error(`no Keycloak login form at ${login.url} (HTTP ${login.response.status})`);
    const done = await browse(decode(action[1]), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
            username: process.env.KUBE_ACCESS_TEST_BROWSER_USERNAME,
            password: process.env.KUBE_ACCESS_TEST_BROWSER_PASSWORD,
            credentialId: "",
        }).toString(),
    });
    if (new URL(done.url).hostname !== "localhost" && new URL(done.url).hostname !== "127.0.0.1") {
        const error =
            /id="input-error[^"]*"[^>]*>([^<]*)</.exec(done.body) ??
            /class="[^"]*alert[^"]*"[\s\S]*?<span[^>]*>([^<]*)</.exec(done.body);
        throw new Error(
            `Keycloak did not send the browser back to kubelogin (at ${done.url}): ${error ? error[1].trim() : `HTTP ${done.response.status}`}`,
        );
    }
}

main().catch((e) => {
    process.stderr.write(`test browser: ${e.message}\n`);
    process.exit(1);
});
