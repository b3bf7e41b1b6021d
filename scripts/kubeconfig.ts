// Writes one user's kubeconfig from the stack outputs to a file only the
// current user can read, checks it with kubectl, and says where it went.
//
//   npm run kubeconfig -- <user> [file] [--stack <stack>] [--cwd <project folder>] [--key <file>]
//
// file     where to write (default ./<user>.kubeconfig). Relative paths, here
//          and in --key and --cwd, are taken from the folder the command was
//          started in, not the package root npm runs it in.
// --stack  the stack to read (default: the selected one, or $PULUMI_STACK).
// --cwd    the stack's project folder; by default the folder the command was
//          started in if it holds a Pulumi.yaml, else the demo's in a shell
//          pointed at it (tools/demo-env.sh), else this checkout: the same
//          rule as `npm run recover` (scripts/lib/projectFolder.ts).
// --key    for a user who brought their own CSR: their private key's file. The
//          kubeconfig then names that file (absolute path), after a check that
//          the key belongs to the user's certificate. Without it, the
//          kubeconfig names <user>.key, which kubectl looks for beside the
//          kubeconfig; the script says where that is and whether it is there.
//
// Exit codes: 0 written, 2 usage error (nothing written), 1 other error.
// The kubeconfig is never printed. Uses `pulumi` and `kubectl` from PATH, or
// the ones kube-access builds (tools/env.sh) when PATH has none.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { privateKeyMatchesCertificate } from "../components/x509/pem";
import { checkoutRoot, fromStartedIn, invocation, projectFolder, projectFolderProblem } from "./lib/projectFolder";
import { sourcedEnv, which } from "./lib/shellEnv";

const usageLine =
    "usage: npm run kubeconfig -- <user> [file] [--stack <stack>] [--cwd <project folder>] [--key <file>]";
function usage(message: string): never {
    console.error(`kubeconfig: ${message}`);
    console.error(usageLine);
    process.exit(2);
}
function fail(message: string): never {
    console.error(`kubeconfig: ${message}`);
    process.exit(1);
}

/** The arguments: `<user> [file] [--stack <stack>] [--cwd <project folder>] [--key <file>]`. */
function parse(argv: string[]): { user: string; file?: string; stack?: string; cwd?: string; key?: string } {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                cwd: { type: "string", short: "C" },
                key: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: true,
        });
    } catch (e) {
        usage((e as Error).message);
    }
    if (parsed.values.help) {
        console.log(usageLine);
        process.exit(0);
    }
    const [user, file, ...extra] = parsed.positionals;
    if (!user) usage("name the user");
    if (extra.length) usage(`unexpected arguments: ${extra.join(" ")}`);
    return { user, file, stack: parsed.values.stack, cwd: parsed.values.cwd, key: parsed.values.key };
}

/** `pulumi` and `kubectl`: yours when PATH has them; otherwise the ones kube-access built (tools/env.sh). */
function tools(): { pulumi?: string; pulumiEnv: NodeJS.ProcessEnv; kubectl?: string } {
    const builtEnv =
        which("pulumi") && which("kubectl") ? undefined : sourcedEnv(path.join(checkoutRoot, "tools", "env.sh"));
    const pulumiEnv = which("pulumi") ? process.env : builtEnv!;
    return {
        pulumi: which("pulumi", pulumiEnv),
        pulumiEnv,
        kubectl: which("kubectl") ?? (builtEnv && which("kubectl", builtEnv)),
    };
}

/** The stack output `kubeconfigs`: kubeconfig text by user name. */
function readKubeconfigs(
    pulumi: string,
    env: NodeJS.ProcessEnv,
    stack: string | undefined,
    projectDir: string,
): Record<string, unknown> {
    const problem = projectFolderProblem(projectDir);
    if (problem) usage(problem);
    const read = spawnSync(
        pulumi,
        ["stack", "output", "kubeconfigs", "--show-secrets", "--json", ...(stack ? ["--stack", stack] : [])],
        { cwd: projectDir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
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
    try {
        return JSON.parse(read.stdout) ?? {};
    } catch {
        fail("the stack output kubeconfigs is not JSON; is this a kube-access stack?");
    }
}

/**
 * The kubeconfig to write, and the key file it names (if any). With --key,
 * the key must be the one of the user's certificate, and the kubeconfig names
 * its absolute path.
 */
function withKeyFile(
    user: string,
    text: string,
    target: string,
    keyOption: string | undefined,
): { text: string; keyFile?: string } {
    const doc = YAML.parse(text);
    const entry = doc.users[0].user;
    const keyReference: string | undefined = entry["client-key"];
    if (keyOption === undefined) {
        return { text, keyFile: keyReference ? path.resolve(path.dirname(target), keyReference) : undefined };
    }
    if (!keyReference) {
        usage(`--key is for users who brought their own CSR; kube-access's kubeconfig for ${user} needs no key file`);
    }
    const keyFile = path.resolve(keyOption);
    let key: crypto.KeyObject;
    try {
        key = crypto.createPrivateKey(fs.readFileSync(keyFile));
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        usage(`--key ${keyFile}: not a readable private key (${err.code || err.message.split("\n")[0]})`);
    }
    const certificatePem = Buffer.from(entry["client-certificate-data"], "base64").toString("utf8");
    if (!privateKeyMatchesCertificate(key, certificatePem)) {
        usage(`--key ${keyFile} is not the key of ${user}'s certificate (the key the CSR was made with)`);
    }
    entry["client-key"] = keyFile;
    return { text: YAML.stringify(doc), keyFile };
}

function main(argv: string[]): void {
    const { user, file, stack, cwd, key } = parse(argv);
    const { pulumi, pulumiEnv, kubectl } = tools();
    if (!pulumi) fail("no pulumi on PATH and none built yet (npm run demo builds one; see README)");
    const outputs = readKubeconfigs(pulumi, pulumiEnv, stack, projectFolder(invocation(), cwd));
    const kubeconfig = outputs[user];
    if (typeof kubeconfig !== "string") {
        usage(
            `no kubeconfig for ${JSON.stringify(user)}; users in this stack: ${Object.keys(outputs).join(", ") || "none"}`,
        );
    }
    const target = fromStartedIn(file || `${user}.kubeconfig`);
    const { text, keyFile } = withKeyFile(user, kubeconfig, target, key && fromStartedIn(key));

    // Create with mode 0600 (and fix the mode of an existing file) before writing the secret into it.
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, "", { mode: 0o600 });
    fs.chmodSync(target, 0o600);
    fs.writeFileSync(target, text);
    console.log(`Wrote the kubeconfig of ${user} to ${target} (mode 0600).`);

    // Check it the way kubectl will read it (the output, which holds the credentials, is not kept).
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
}

main(process.argv.slice(2));
