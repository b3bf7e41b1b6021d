import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "./lib/localCluster";
import { PulumiWorkspace } from "./lib/pulumiWorkspace";
import { repoRoot, run, toolEnv } from "./lib/toolEnv";
import { fitConfigToProviders } from "./lib/demoConfig";
import { createKeyAndCsr, csrSubject, opensslKeyArgs } from "./lib/openssl";

/**
 * Onboards the users of Pulumi.dev.yaml to the local cluster: the `dev` stack
 * runs in .kube-access/demo with the checkout's program, pointed at the local
 * cluster and Keycloak. Writes each user's kubeconfig (mode 0600) and says how
 * to use it.
 */
async function main(): Promise<void> {
    const runDir = toolEnv().KUBE_ACCESS_RUN_DIR!;
    const demoDir = path.join(runDir, "demo");
    fs.mkdirSync(demoDir, { recursive: true, mode: 0o700 });

    const cluster = await LocalCluster.start(path.join(runDir, "cluster"), {}, "[cluster]");
    const example = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    // The demo shows the article's password grant, so da-admin gets a permanent password.
    example["kube-access:oidc"] = { ...example["kube-access:oidc"], temporaryPasswords: false };

    // Fit the example to the providers this machine has (docs/engine.md).
    const plugins = JSON.parse((await run("pulumi", ["plugin", "ls", "--json"], { env: toolEnv() })).stdout) as {
        name: string;
    }[];
    const fitted = fitConfigToProviders(
        example,
        plugins.map((p) => p.name),
    );
    for (const note of fitted.notes) console.log(`[demo] ${note}`);
    const kubeconfigDir = path.join(demoDir, "kubeconfigs");
    const keyFiles: Record<string, string> = {};
    for (const user of fitted.ownCsrUsers) {
        const userDir = path.join(kubeconfigDir, user.name);
        fs.mkdirSync(userDir, { recursive: true, mode: 0o700 });
        keyFiles[user.name] = path.join(userDir, `${user.name}.key`);
        const csrFile = path.join(userDir, `${user.name}.csr`);
        createKeyAndCsr(
            keyFiles[user.name],
            csrFile,
            csrSubject(user.name, user.groups),
            opensslKeyArgs(user.keyAlgorithm),
        );
        const entry = (fitted.config["kube-access:users"] as { name: string; auth: Record<string, unknown> }[]).find(
            (u) => u.name === user.name,
        )!;
        delete entry.auth.keyAlgorithm;
        entry.auth.certificateRequest = fs.readFileSync(csrFile, "utf8");
    }
    const { config, secrets } = cluster.pointStackAt(fitted.config);
    const hasOidcUsers = (config["kube-access:users"] as { auth: { method: string } }[]).some(
        (u) => u.auth.method === "oidc",
    );

    const passwordFile = path.join(demoDir, "da-admin.password");
    if (!fs.existsSync(passwordFile)) {
        fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
    }
    const workspace = await PulumiWorkspace.create({
        dir: demoDir,
        stack: "dev",
        config,
        secrets: hasOidcUsers
            ? { ...secrets, "kube-access:oidcInitialPasswords.da-admin": fs.readFileSync(passwordFile, "utf8") }
            : secrets,
        echo: "[pulumi]",
    });
    await workspace.up();

    const outputs = await workspace.outputs(true);
    const oidc = outputs.oidc as { authenticationConfiguration: string } | undefined;
    if (oidc) await cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]");

    const users = outputs.users as { name: string; method: string; identity: string; grants: string[] }[];
    const kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    const kubectl = cluster.info.kubectl;
    console.log("\nkube-access onboarded these users to the local cluster:\n");
    for (const user of users) {
        const file = path.join(kubeconfigDir, user.name, "config");
        fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        fs.writeFileSync(file, "", { mode: 0o600 });
        fs.writeFileSync(file, kubeconfigs[user.name]);
        const rel = path.relative(process.cwd(), file);
        console.log(`${user.name} (${user.method}, seen as ${user.identity})`);
        for (const grant of user.grants) console.log(`  grant: ${grant}`);
        if (user.method === "oidc") {
            console.log(`  kubeconfig: ${rel} (logs in with kubelogin: kubectl oidc-login, browser flow)`);
            console.log(
                `  a token by hand (password grant): node scripts/oidc-token.js --kubeconfig ${rel} --username ${user.name}`,
            );
            console.log(`  its password: ${path.relative(process.cwd(), passwordFile)}`);
        } else {
            console.log(`  kubeconfig: ${rel}${keyFiles[user.name] ? ` (with the user's own key beside it)` : ""}`);
            console.log(`  try: ${kubectl} --kubeconfig ${rel} auth whoami`);
        }
    }
    for (const note of fitted.notes) console.log(`note: ${note}`);
    console.log(
        `\nStack state: ${path.relative(process.cwd(), demoDir)} (stack dev). Stop the cluster: npm run demo:stop`,
    );
}

main().catch((e) => {
    console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
});
