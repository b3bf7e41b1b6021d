import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "./lib/localCluster";
import { PulumiWorkspace } from "./lib/pulumiWorkspace";
import { repoRoot, toolEnv } from "./lib/toolEnv";

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
    const base = YAML.parse(fs.readFileSync(path.join(repoRoot, "Pulumi.dev.yaml"), "utf8")).config;
    // The demo shows the article's password grant, so da-admin gets a permanent password.
    base["kube-access:oidc"] = { ...base["kube-access:oidc"], temporaryPasswords: false };
    const { config, secrets } = cluster.pointStackAt(base);

    const passwordFile = path.join(demoDir, "da-admin.password");
    if (!fs.existsSync(passwordFile)) {
        fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
    }
    const workspace = await PulumiWorkspace.create({
        dir: demoDir,
        stack: "dev",
        config,
        secrets: { ...secrets, "kube-access:oidcInitialPasswords.da-admin": fs.readFileSync(passwordFile, "utf8") },
        echo: "[pulumi]",
    });
    await workspace.up();

    const outputs = await workspace.outputs(true);
    const oidc = outputs.oidc as { authenticationConfiguration: string } | undefined;
    if (oidc) await cluster.setAuthenticationConfiguration(oidc.authenticationConfiguration, "[cluster]");

    const kubeconfigDir = path.join(demoDir, "kubeconfigs");
    fs.mkdirSync(kubeconfigDir, { recursive: true, mode: 0o700 });
    const users = outputs.users as { name: string; method: string; identity: string; grants: string[] }[];
    const kubeconfigs = outputs.kubeconfigs as Record<string, string>;
    const kubectl = path.relative(process.cwd(), cluster.info.kubectl);
    console.log("\nkube-access onboarded these users to the local cluster:\n");
    for (const user of users) {
        const file = path.join(kubeconfigDir, user.name);
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
            console.log(`  kubeconfig: ${rel}`);
            console.log(`  try: ${kubectl} --kubeconfig ${rel} auth whoami`);
        }
    }
    console.log(
        `\nStack state: ${path.relative(process.cwd(), demoDir)} (stack dev). Stop the cluster: npm run demo:stop`,
    );
}

main().catch((e) => {
    console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
});
