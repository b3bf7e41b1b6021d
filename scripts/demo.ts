import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../test/harness/localCluster";
import { demoAccessFileName, demoOidcUserNames } from "./lib/demoAccessFiles";
import { editsUndone, handEdits, handEditsMessage, readConfigSnapshot } from "./lib/demoConfig";
import { impersonationContextsIn } from "../components/impersonation/plan";
import { parseArgs } from "util";
import { OperationFailedError, PulumiWorkspace } from "../test/harness/pulumiWorkspace";
import { repoRoot, run, toolEnv } from "../test/harness/toolEnv";

interface UserSummary {
    name: string;
    method: string;
    identity: string;
    grants: string[];
    mayImpersonate?: string[];
}

/**
 * Onboards the users of Pulumi.dev.yaml to the local cluster: the `dev` stack
 * runs in .kube-access/demo with the checkout's program, pointed at the local
 * cluster and Keycloak. Writes each user's kubeconfig (mode 0600), checks the
 * ones that need no login with `kubectl auth whoami`, and says how to use them.
 */
async function main(): Promise<void> {
    const { values } = parseArgs({ options: { "reset-config": { type: "boolean", default: false } }, strict: true });
    const runDir = toolEnv().KUBE_ACCESS_RUN_DIR!;
    const demoDir = path.join(runDir, "demo");
    fs.mkdirSync(demoDir, { recursive: true, mode: 0o700 });

    // The stack's config as this script last wrote it, and as it is now: a change made by hand since, which this
    // run would undo and apply at once, stops the demo below (--reset-config drops such changes).
    const projectStackFile = path.join(demoDir, "project", "Pulumi.dev.yaml");
    const writtenConfigFile = path.join(demoDir, "stack-config.json");
    const current = readConfigSnapshot(projectStackFile);
    const edits =
        !values["reset-config"] && current && fs.existsSync(writtenConfigFile)
            ? handEdits(JSON.parse(fs.readFileSync(writtenConfigFile, "utf8")), current)
            : [];

    const cluster = await LocalCluster.start(path.join(runDir, "cluster"), {}, "[cluster]");
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    // Inline and in the access files, as Pulumi.dev.yaml names them (before they are renamed below).
    const oidcUsers = demoOidcUserNames(example, repoRoot);
    // The demo shows the article's password grant, so da-admin gets a permanent password.
    example["kube-access:oidc"] = { ...example["kube-access:oidc"], temporaryPasswords: false };
    // Access files are named relative to the project folder, .kube-access/demo/project here: each keeps its
    // name, with its folder linked there from the checkout.
    const projectDir = path.join(demoDir, "project");
    const accessFiles = example["kube-access:accessFiles"];
    if (accessFiles !== undefined) {
        const named = (file: unknown) => demoAccessFileName(file, repoRoot, projectDir);
        example["kube-access:accessFiles"] = Array.isArray(accessFiles) ? accessFiles.map(named) : named(accessFiles);
    }
    const { config, secrets } = cluster.pointStackAt(example);

    // The passwords the stack had before this run: Keycloak takes a user's initial password only when it creates the user.
    const earlierStackFile = path.join(projectDir, "Pulumi.dev.yaml");
    const hadPassword = new Set(
        Object.keys(
            (fs.existsSync(earlierStackFile)
                ? YAML.parse(fs.readFileSync(earlierStackFile, "utf8"))?.config?.["kube-access:oidcInitialPasswords"]
                : undefined) ?? {},
        ),
    );
    // Each OIDC user of the example gets a random initial password, kept in a file beside the stack.
    const passwordFiles: Record<string, string> = {};
    const passwords: Record<string, string> = {};
    for (const name of oidcUsers) {
        passwordFiles[name] = path.join(demoDir, `${name}.password`);
        if (!fs.existsSync(passwordFiles[name])) {
            fs.writeFileSync(passwordFiles[name], crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
        }
        passwords[`kube-access:oidcInitialPasswords.${name}`] = fs.readFileSync(passwordFiles[name], "utf8");
    }
    const undone = current
        ? editsUndone(edits, current, config, [...Object.keys(secrets), ...Object.keys(passwords)])
        : [];
    if (undone.length > 0) {
        console.error(handEditsMessage(undone, path.relative(process.cwd(), path.dirname(projectStackFile))));
        process.exit(1);
    }
    const workspace = await PulumiWorkspace.create({
        dir: demoDir,
        stack: "dev",
        config,
        secrets: { ...secrets, ...passwords },
        echo: "[pulumi]",
    });
    // The project folder links package.json, so npm runs kube-access's commands there: they need their
    // scripts, and `demo` and `demo:stop` the tools (each script finds the checkout through the link).
    for (const folder of ["scripts", "tools"]) {
        const link = path.join(workspace.projectDir, folder);
        if (!fs.lstatSync(link, { throwIfNoEntry: false })) fs.symlinkSync(path.join(repoRoot, folder), link);
    }
    // A user taken out of Pulumi.dev.yaml takes their initial password out of the stack too.
    for (const name of hadPassword) {
        if (!oidcUsers.includes(name)) {
            await workspace.removeConfig(`kube-access:oidcInitialPasswords.${name}`);
        }
    }
    fs.writeFileSync(writtenConfigFile, JSON.stringify(readConfigSnapshot(projectStackFile) ?? {}), { mode: 0o600 });
    const deployedBefore = new Set(Object.keys(((await workspace.outputs(false)).users ?? {}) as object));
    await workspace.up();
    // OIDC users Keycloak already had, made without a password: the password the demo wrote for them now is not theirs.
    const withoutPassword = oidcUsers.filter((name) => deployedBefore.has(name) && !hadPassword.has(name));

    const outputs = await workspace.outputs(true);
    const oidc = outputs.oidc as { authenticationConfiguration: string } | undefined;
    if (oidc) await cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]");

    const users = Object.values(outputs.users as Record<string, UserSummary>);
    const kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    const kubeconfigDir = path.join(demoDir, "kubeconfigs");
    console.log("\nkube-access onboarded these users to the local cluster:\n");
    for (const user of users) {
        const file = path.join(kubeconfigDir, user.name, "config");
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, "", { mode: 0o600 });
        fs.writeFileSync(file, kubeconfigs[user.name]);
        const rel = path.relative(process.cwd(), file);
        console.log(`${user.name} (${user.method}, seen by the API server as ${user.identity})`);
        for (const grant of user.grants) console.log(`  grant: ${grant}`);
        console.log(`  kubeconfig: ${rel}`);
        if (user.mayImpersonate?.length) console.log(`  may impersonate: ${user.mayImpersonate.join(", ")}`);
        for (const c of impersonationContextsIn(kubeconfigs[user.name])) {
            const groups = c.asGroups.length > 0 ? ` in ${c.asGroups.join(", ")}` : "";
            console.log(`  acting as ${c.as}${groups}: kubectl --kubeconfig ${rel} --context ${c.context} auth whoami`);
        }
        if (user.method === "oidc") {
            console.log(`  log in: kubectl --kubeconfig ${rel} auth whoami`);
            const password = withoutPassword.includes(user.name)
                ? `no password: Keycloak made this user in an earlier run, before the demo gave it one, and sets an ` +
                  `initial password only when it creates a user (take the user out of the config, run the demo, put it back)`
                : passwordFiles[user.name]
                  ? `password in ${path.relative(process.cwd(), passwordFiles[user.name])}`
                  : "no password from the demo (Keycloak has none for this user)";
            console.log(
                `    kubectl runs kubelogin (kubectl oidc-login), which opens Keycloak's login page in your browser` +
                    ` (or prints its URL); user ${user.name}, ${password}.` +
                    " After the login, kubelogin caches the token and refreshes it.",
            );
            console.log(
                `  a token by hand (the article's password grant): npm run oidc-token -- --kubeconfig ${rel} --username ${user.name}`,
            );
            continue;
        }
        const whoami = await run(cluster.info.kubectl, ["--kubeconfig", file, "auth", "whoami", "-o", "json"], {
            env: cluster.env,
            check: false,
        });
        if (whoami.code === 0) {
            const info = JSON.parse(whoami.stdout).status.userInfo as { username: string; groups?: string[] };
            console.log(`  checked: kubectl auth whoami -> ${info.username} [${(info.groups ?? []).join(", ")}]`);
        } else {
            console.log(`  CHECK FAILED: kubectl auth whoami: ${whoami.stderr.trim()}`);
            process.exitCode = 1;
        }
        console.log(`  try: kubectl --kubeconfig ${rel} auth can-i --list`);
    }
    const shown = (file: string) => path.relative(process.cwd(), file);
    console.log(
        `\nStack state: ${shown(demoDir)} (stack dev, its own passphrase).` +
            "\nTo read the stack from a shell (README, Getting kubeconfigs): . tools/demo-env.sh" +
            " (also puts pulumi, kubectl and kubelogin on PATH, and makes plain kubectl the local cluster's admin)." +
            `\nTo run pulumi preview or pulumi up for it, after that: cd ${shown(workspace.projectDir)}` +
            "\nThe bindings kube-access made, in that shell: kubectl get rolebindings,clusterrolebindings -A -l app.kubernetes.io/managed-by=kube-access" +
            ` (the admin kubeconfig: ${shown(cluster.info.adminKubeconfigPath)})` +
            "\nStop the cluster: npm run demo:stop",
    );
}

main().catch((e) => {
    // The engine's output, diagnostics included, was printed as it ran (lines starting [pulumi]).
    const message =
        e instanceof OperationFailedError && e.echoed
            ? `pulumi ${e.operation} failed; what it printed is above, in the lines starting [pulumi]`
            : e instanceof Error
              ? e.message
              : e;
    console.error(`demo failed: ${message}`);
    process.exit(1);
});
