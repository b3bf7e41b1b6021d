#!/usr/bin/env node
// Writes one user's kubeconfig from the stack outputs to a file only the
// current user can read, and says where it went. Usage:
//   npm run kubeconfig -- <user> [file] [--stack <stack>]
// The kubeconfig is never printed. Uses `pulumi` from PATH, or the engine
// kube-access builds (tools/env.sh) when PATH has none.
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

function usage(message) {
    if (message) console.error(`kubeconfig: ${message}`);
    console.error("usage: npm run kubeconfig -- <user> [file] [--stack <stack>]");
    process.exit(2);
}

const args = process.argv.slice(2);
const stackAt = args.indexOf("--stack");
const stack = stackAt >= 0 ? args.splice(stackAt, 2)[1] : undefined;
if (stackAt >= 0 && !stack) usage("--stack needs a stack name");
const [user, file] = args;
if (!user) usage("name the user");

const root = path.resolve(__dirname, "..");
// The stack's project: the current folder when it has one (npm runs scripts from the package root).
const projectDir = fs.existsSync(path.join(process.cwd(), "Pulumi.yaml")) ? process.cwd() : root;
function pulumiCommand() {
    try {
        execFileSync("pulumi", ["version"], { stdio: "ignore" });
        return { command: "pulumi", env: process.env };
    } catch {
        // Fall back to the engine built by tools/build-engine.sh and its offline environment.
        const env = execFileSync("bash", ["-c", `. "${root}/tools/env.sh" && env -0`], { encoding: "utf8" });
        const parsed = Object.fromEntries(
            env
                .split("\0")
                .filter(Boolean)
                .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
        );
        return { command: "pulumi", env: parsed };
    }
}

const { command, env } = pulumiCommand();
let outputs;
try {
    const text = execFileSync(
        command,
        ["stack", "output", "kubeconfigs", "--show-secrets", "--json", ...(stack ? ["--stack", stack] : [])],
        { cwd: projectDir, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    outputs = JSON.parse(text);
} catch (e) {
    usage(`could not read the stack output kubeconfigs (${e.message.split("\n")[0]})`);
}
if (!outputs || typeof outputs[user] !== "string") {
    usage(
        `no kubeconfig for ${JSON.stringify(user)}; users in this stack: ${Object.keys(outputs || {}).join(", ") || "none"}`,
    );
}

const target = path.resolve(file || `${user}.kubeconfig`);
// Create with mode 0600 (and fix the mode of an existing file) before writing the secret into it.
fs.writeFileSync(target, "", { mode: 0o600 });
fs.chmodSync(target, 0o600);
fs.writeFileSync(target, outputs[user]);
console.log(`Wrote the kubeconfig of ${user} to ${target} (mode 0600).`);
console.log(`Use it with: kubectl --kubeconfig ${target} auth whoami`);
