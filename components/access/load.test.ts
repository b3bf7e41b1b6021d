import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadAccessSpec } from "./load";
import { RawConfig } from "./validate";
import { validConfig } from "../../test/helpers/config";
import { promiseOf } from "../../test/helpers/mocks";

// loadAccessSpec reads the stack config the way the engine hands it over:
// every value as text, structured values as JSON, and the list of secret keys.

function setConfig(config: RawConfig, extra: Record<string, string>, secrets: string[]): void {
    const all: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        all[`kube-access:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig({ ...all, ...extra }, secrets);
}

const kubeSecrets = ["kube-access:clusterCaKey", "kube-access:clusterKubeconfig", "kube-access:oidcInitialPasswords"];
const keycloak = { "keycloak:url": "https://127.0.0.1:8443", "keycloak:clientId": "admin-cli" };

function loadError(): string {
    try {
        loadAccessSpec();
    } catch (e) {
        return (e as Error).message;
    }
    return "";
}

describe("loadAccessSpec", () => {
    const marker = "S3CRET-Value-4711";
    test.each([
        ["keycloak:password", { "keycloak:username": "admin", "keycloak:password": marker }],
        ["keycloak:password as a number", { "keycloak:username": "admin", "keycloak:password": "987654321987" }],
        ["keycloak:password as JSON", { "keycloak:username": "admin", "keycloak:password": `{"v":"${marker}"}` }],
        ["keycloak:clientSecret", { "keycloak:clientSecret": marker }],
        ["keycloak:clientSecret as a list", { "keycloak:clientSecret": `["${marker}"]` }],
    ])("%s in plain text is refused without quoting it", (key, settings) => {
        setConfig(validConfig(), { ...keycloak, ...settings }, kubeSecrets);
        const text = loadError();
        expect(text).toMatch(new RegExp(`${key.split(" ")[0]}: holds a secret but is stored in plain text`));
        expect(text).not.toContain(marker);
        expect(text).not.toContain("987654321987");
    });

    test.each([
        ["kube-access:oidcInitialPasswords", `"${marker}"`],
        ["kube-access:clusterCaKey", "987654321987"],
        ["kube-access:clusterKubeconfig", `{"token": "${marker}"}`],
    ])("%s of the wrong shape is refused without quoting it, secret or not", (key, value) => {
        for (const secrets of [kubeSecrets, []]) {
            setConfig(validConfig(), { ...keycloak, "keycloak:clientSecret": "x", [key]: value }, [
                ...secrets,
                "keycloak:clientSecret",
            ]);
            const text = loadError();
            expect(text).toContain(`${key}:`);
            expect(text).not.toContain(marker);
            expect(text).not.toContain("987654321987");
        }
    });

    test("an admin kubeconfig set as JSON reaches the program as JSON text, a secret", async () => {
        const kubeconfig = {
            clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
            users: [{ name: "u", user: { token: "t" } }],
            contexts: [{ name: "u@c", context: { cluster: "c", user: "u" } }],
            "current-context": "u@c",
        };
        setConfig({ ...validConfig(), clusterKubeconfig: kubeconfig }, { ...keycloak, "keycloak:clientSecret": "x" }, [
            ...kubeSecrets,
            "keycloak:clientSecret",
        ]);
        const { secrets } = loadAccessSpec();
        expect(await pulumi.isSecret(secrets.clusterKubeconfig!)).toBe(true);
        expect(JSON.parse(await promiseOf(secrets.clusterKubeconfig!))).toEqual(kubeconfig);
    });
});

describe("loadAccessSpec with access files", () => {
    test("reads kube-access:accessFiles relative to the project folder it is given, and names the file in errors", () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-load-"));
        try {
            fs.mkdirSync(path.join(project, "teams"));
            fs.writeFileSync(
                path.join(project, "teams", "a.yaml"),
                "users:\n  - name: bot-a\n    auth: {method: serviceAccount, namespace: ci}\n  - name: bot-b\n    auth: {method: serviceAccount, namespace: Bad_NS}\n",
            );
            setConfig(
                { ...validConfig(), accessFiles: ["teams/a.yaml"] },
                { ...keycloak, "keycloak:clientSecret": "x" },
                [...kubeSecrets, "keycloak:clientSecret"],
            );
            expect(() => loadAccessSpec(project)).toThrow(
                /\n {2}- teams\/a\.yaml:users\[1\]\.auth\.namespace \(line 5\): /,
            );
            fs.writeFileSync(
                path.join(project, "teams", "a.yaml"),
                "users:\n  - name: bot-a\n    auth: {method: serviceAccount, namespace: ci}\n",
            );
            expect(loadAccessSpec(project).spec.users.map((u) => u.name)).toContain("bot-a");
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });
});
