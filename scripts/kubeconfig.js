#!/usr/bin/env node
// Writes one user's kubeconfig from the stack outputs to a file only the
// current user can read, checks it with kubectl, and says where it went.
//
//   npm run kubeconfig -- <user> [file] [--stack <stack>] [--key <file>]
//
// file     where to write (default ./<user>.kubeconfig).
// --stack  the stack to read (default: the selected one, or $PULUMI_STACK).
// --key    for a user who brought their own CSR: their private key's file. The
//          kubeconfig then names that file (absolute path), after a check that
//          the key belongs to the user's certificate. Without it, the
//          kubeconfig names <user>.key, which kubectl looks for beside the
//          kubeconfig; the script says where that is and whether it is there.
//
// The kubeconfig is never printed. Uses `pulumi` and `kubectl` from PATH, or
// the ones kube-access builds (tools/env.sh) when PATH has none.
const { execFileSync, spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const { parseArgs } = require("util");
const YAML = require("yaml");

const usageLine = "usage: npm run kubeconfig -- <user> [file] [--stack <stack>] [--key <file>]";
function usage(message) {
    if (message) console.error(`kubeconfig: ${message}`);
    console.error(usageLine);
    process.exit(2);
}
function fail(message) {
    console.error(`kubeconfig: ${message}`);
    process.exit(1);
}

let parsed;
try {
    parsed = parseArgs({
        args: process.argv.slice(2),
        options: { stack: { type: "string" }, key: { type: "string" } },
        allowPositionals: true,
    });
} catch (e) {
    usage(e.message);
}
const { stack, key: keyOption } = parsed.values;
const [user, file, ...extra] = parsed.positionals;
if (!user) usage("name the user");
if (extra.length) usage(`unexpected arguments: ${extra.join(" ")}`);

const root = path.resolve(__dirname, "..");
// The stack's project: the current folder when it has one (npm runs scripts from the package root).
const projectDir = fs.existsSync(path.join(process.cwd(), "Pulumi.yaml")) ? process.cwd() : root;

/** The environment of tools/env.sh: the tools kube-access builds first on PATH, and their PULUMI_HOME. */
function builtToolsEnv() {
    const text = execFileSync("bash", ["-c", `. "${root}/tools/env.sh" && env -0`], { encoding: "utf8" });
    return Object.fromEntries(
        text
            .split("\0")
            .filter(Boolean)
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
}
/** The path of `command` on the PATH of `env`, or undefined. */
function which(command, env) {
    const found = spawnSync("bash", ["-c", 'command -v "$1"', "bash", command], { env, encoding: "utf8" });
    return found.status === 0 ? found.stdout.trim() : undefined;
}
// Your own pulumi and kubectl when PATH has them; otherwise the ones kube-access built.
const builtEnv = which("pulumi", process.env) && which("kubectl", process.env) ? undefined : builtToolsEnv();
const pulumiEnv = which("pulumi", process.env) ? process.env : builtEnv;
const pulumi = which("pulumi", pulumiEnv);
const kubectl = which("kubectl", process.env) || which("kubectl", builtEnv);
if (!pulumi) fail("no pulumi on PATH and none built yet (npm run demo builds one; see README)");

// --- read the stack output
const read = spawnSync(
    pulumi,
    ["stack", "output", "kubeconfigs", "--show-secrets", "--json", ...(stack ? ["--stack", stack] : [])],
    { cwd: projectDir, env: pulumiEnv, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
);
if (read.status !== 0) {
    const reason = (read.stderr || "").trim().split("\n").pop() || `pulumi exited with ${read.status}`;
    const demoHint = "for the demo's stack, run `. tools/demo-env.sh` first.";
    if (/no stack (is )?selected|no stack named/i.test(reason)) {
        fail(`${reason}\nPass --stack <stack>, or select one with \`pulumi stack select <stack>\`; ${demoHint}`);
    }
    if (/PULUMI_ACCESS_TOKEN|login/i.test(reason)) {
        fail(`${reason}\nNo backend: log in to yours with \`pulumi login <url>\`; ${demoHint}`);
    }
    fail(`could not read the stack output kubeconfigs: ${reason}`);
}
let outputs;
try {
    outputs = JSON.parse(read.stdout);
} catch {
    fail("the stack output kubeconfigs is not JSON; is this a kube-access stack?");
}
if (!outputs || typeof outputs[user] !== "string") {
    usage(
        `no kubeconfig for ${JSON.stringify(user)}; users in this stack: ${Object.keys(outputs || {}).join(", ") || "none"}`,
    );
}

// --- the user's own key, for users who brought their own CSR
const target = path.resolve(file || `${user}.kubeconfig`);
const doc = YAML.parse(outputs[user]);
const entry = doc.users[0].user;
const keyReference = entry["client-key"];
let text = outputs[user];
let keyFile;
if (keyOption !== undefined) {
    if (!keyReference) {
        usage(`--key is for users who brought their own CSR; kube-access's kubeconfig for ${user} needs no key file`);
    }
    keyFile = path.resolve(keyOption);
    let key;
    try {
        key = crypto.createPrivateKey(fs.readFileSync(keyFile));
    } catch (e) {
        usage(`--key ${keyFile}: not a readable private key (${e.code || e.message.split("\n")[0]})`);
    }
    const certificate = new crypto.X509Certificate(Buffer.from(entry["client-certificate-data"], "base64"));
    if (!certificate.checkPrivateKey(key)) {
        usage(`--key ${keyFile} is not the key of ${user}'s certificate (the key the CSR was made with)`);
    }
    entry["client-key"] = keyFile;
    text = YAML.stringify(doc);
} else if (keyReference) {
    keyFile = path.resolve(path.dirname(target), keyReference);
}

// Create with mode 0600 (and fix the mode of an existing file) before writing the secret into it.
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, "", { mode: 0o600 });
fs.chmodSync(target, 0o600);
fs.writeFileSync(target, text);
console.log(`Wrote the kubeconfig of ${user} to ${target} (mode 0600).`);

// --- check it the way kubectl will read it (the output, which holds the credentials, is not kept)
const keyMissing = keyFile !== undefined && !fs.existsSync(keyFile);
if (keyFile) {
    console.log(
        keyMissing
            ? `It names ${user}'s private key ${keyFile}, which is not there yet: put the key the CSR was made with ` +
                  `there (mode 0600), or run this again with --key <file>.`
            : `It names ${user}'s private key ${keyFile}.`,
    );
}
if (!kubectl) {
    console.log("Not checked: no kubectl on PATH.");
} else if (!keyMissing) {
    const check = spawnSync(kubectl, ["config", "view", "--kubeconfig", target, "--flatten", "-o", "json"], {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (check.status !== 0) fail(`kubectl cannot read ${target}: ${(check.stderr || "").trim()}`);
    const context = JSON.parse(check.stdout)["current-context"];
    console.log(`kubectl reads it (context ${context}).`);
}
console.log(`Use it with: kubectl --kubeconfig ${target} auth whoami`);
