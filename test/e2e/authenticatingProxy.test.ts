import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCluster } from "../harness/localCluster";
import { PulumiWorkspace } from "../harness/pulumiWorkspace";
import { testCa } from "../helpers/fixtures";
import { clusterPorts } from "../harness/ports";
import { run, scriptArgs } from "../harness/toolEnv";
import { AccessReport } from "../../components/report/model";

/*
 * An authenticating proxy on a real kube-apiserver: the API server is started
 * with the request-header settings (tools/local-cluster.sh, opt-in through
 * KUBE_ACCESS_REQUESTHEADER_*), its CA file then holds the request-header CA
 * the program created, and a request with the proxy's certificate and
 * identity headers is seen as the user and groups the headers name. The same
 * headers with another client certificate, or none, are not trusted.
 *
 * Ports differ from every other suite so suites never meet.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-proxy-"));
const ports = clusterPorts.authenticatingProxy;
const caFile = path.join(dir, "request-header-ca.crt");
let cluster: LocalCluster;
let workspace: PulumiWorkspace;
let outputs: Record<string, unknown>;
let credential: { certificate: string; privateKey: string };
let clusterCa: string;

type Settings = { caFile: string; caCertificate: string; apiServerFlags: string[]; stripHeaders: string[] };

function accessConfig(): Record<string, unknown> {
    return {
        "kube-access:cluster": { name: "e2e" },
        "kube-access:users": [
            { name: "carol", auth: { method: "certificate", signer: "external", validityHours: 24 } },
        ],
        "kube-access:bindings": [
            {
                name: "proxied-devs-view",
                clusterRole: "view",
                namespaces: ["default"],
                subjects: [{ group: "proxied-devs", external: true }],
            },
        ],
        "kube-access:authenticatingProxy": { caFile, proxies: [{ name: "web-console" }] },
    };
}

const identityHeaders = { "X-Remote-User": "jane", "X-Remote-Group": "proxied-devs" };

/** POST a SelfSubjectReview (what `kubectl auth whoami` does) with the given client certificate and headers. */
function selfSubjectReview(
    client: { cert: string; key: string } | undefined,
    headers: Record<string, string>,
): Promise<{ status: number; username?: string; groups?: string[] }> {
    const body = JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" });
    return new Promise((resolve, reject) => {
        const request = https.request(
            `${cluster.info.apiServerUrl}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
            {
                method: "POST",
                ca: clusterCa,
                ...(client ?? {}),
                headers: { "Content-Type": "application/json", ...headers },
                timeout: 30000,
            },
            (response) => {
                let text = "";
                response.setEncoding("utf8");
                response.on("data", (chunk) => (text += chunk));
                response.on("end", () => {
                    const status = response.statusCode ?? 0;
                    const userInfo = status === 201 ? JSON.parse(text).status.userInfo : undefined;
                    resolve({ status, username: userInfo?.username, groups: userInfo?.groups });
                });
            },
        );
        request.on("error", reject);
        request.end(body);
    });
}

async function canIThroughProxy(verb: string, resource: string, namespace: string): Promise<boolean> {
    const body = JSON.stringify({
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { verb, resource, namespace } },
    });
    return new Promise((resolve, reject) => {
        const request = https.request(
            `${cluster.info.apiServerUrl}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
            {
                method: "POST",
                ca: clusterCa,
                cert: credential.certificate,
                key: credential.privateKey,
                headers: { "Content-Type": "application/json", ...identityHeaders },
            },
            (response) => {
                let text = "";
                response.on("data", (chunk) => (text += chunk));
                response.on("end", () => resolve(JSON.parse(text).status?.allowed === true));
            },
        );
        request.on("error", reject);
        request.end(body);
    });
}

beforeAll(async () => {
    // Until the program has made its CA, the API server trusts a throwaway one.
    fs.writeFileSync(caFile, testCa("kube-access-e2e-placeholder-request-header-ca").certificatePem);
    process.env.KUBE_ACCESS_REQUESTHEADER_CA_FILE = caFile;
    process.env.KUBE_ACCESS_REQUESTHEADER_ALLOWED_NAMES = "web-console";
    cluster = await LocalCluster.start(path.join(dir, "cluster"), ports, "[cluster]");
    clusterCa = cluster.read(cluster.info.caCertificatePath);
    const { config, secrets } = cluster.pointStackAt(accessConfig());
    workspace = await PulumiWorkspace.create({
        dir: path.join(dir, "pulumi"),
        stack: "proxy",
        config,
        secrets,
        echo: "[pulumi]",
    });
    await workspace.up();
    outputs = await workspace.outputs(true);
    const settings = outputs.authenticatingProxy as Settings & { credentials: Record<string, typeof credential> };
    credential = settings.credentials["web-console"];
    // Install the request-header CA as the output says (atomically); the API server reloads it.
    fs.writeFileSync(`${caFile}.tmp`, settings.caCertificate);
    fs.renameSync(`${caFile}.tmp`, caFile);
    const deadline = Date.now() + 120_000;
    while (
        (await selfSubjectReview({ cert: credential.certificate, key: credential.privateKey }, identityHeaders))
            .username !== "jane"
    ) {
        if (Date.now() > deadline) throw new Error("kube-apiserver did not take the request-header CA within 120 s");
        await new Promise((r) => setTimeout(r, 2000));
    }
});

afterAll(async () => {
    delete process.env.KUBE_ACCESS_REQUESTHEADER_CA_FILE;
    delete process.env.KUBE_ACCESS_REQUESTHEADER_ALLOWED_NAMES;
    if (workspace) await workspace.destroy().catch((e) => console.log(`destroy after failure: ${e}`));
    if (cluster) await cluster.stop();
    if (!process.env.KUBE_ACCESS_KEEP_E2E) fs.rmSync(dir, { recursive: true, force: true });
});

describe("authenticating proxy on a real API server", () => {
    test("the output's flags are the ones the API server runs with", () => {
        const settings = outputs.authenticatingProxy as Settings;
        expect(settings.apiServerFlags).toEqual([
            `--requestheader-client-ca-file=${caFile}`,
            "--requestheader-allowed-names=web-console",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        ]);
        const running = fs.readFileSync(path.join(dir, "cluster", "logs", "kube-apiserver.log"), "utf8").split("\n")[0];
        for (const flag of settings.apiServerFlags) expect(running).toContain(flag);
    });

    test("the request-header CA is kube-access's own, not the cluster CA", () => {
        const settings = outputs.authenticatingProxy as Settings;
        expect(settings.caCertificate).not.toBe(clusterCa);
        expect(settings.caCertificate).toMatch(/BEGIN CERTIFICATE/);
    });

    test("through the proxy's certificate, the headers' user and groups are who the API server sees", async () => {
        const seen = await selfSubjectReview(
            { cert: credential.certificate, key: credential.privateKey },
            identityHeaders,
        );
        expect(seen.username).toBe("jane");
        expect(seen.groups).toEqual(expect.arrayContaining(["proxied-devs", "system:authenticated"]));
        expect(await canIThroughProxy("list", "pods", "default")).toBe(true);
        expect(await canIThroughProxy("create", "deployments", "default")).toBe(false);
    });

    test("the same headers with another client certificate are ignored", async () => {
        const user = YAML.parse((outputs.kubeconfigs as Record<string, string>).carol).users[0].user;
        const cert = Buffer.from(user["client-certificate-data"], "base64").toString();
        const key = Buffer.from(user["client-key-data"], "base64").toString();
        const seen = await selfSubjectReview({ cert, key }, identityHeaders);
        expect(seen).toMatchObject({ status: 201, username: "carol" });
        expect(seen.groups).not.toContain("proxied-devs");
    });

    test("the same headers with no client certificate are not trusted", async () => {
        const seen = await selfSubjectReview(undefined, identityHeaders);
        expect(seen.username).not.toBe("jane");
        expect(seen.groups ?? []).not.toContain("proxied-devs");
    });

    test("the access report: the deployed stack is no change; a pull request that adds a proxy is, with its escalation; the proxied group is a subject outside the users list", async () => {
        const report = async (): Promise<{ code: number; report: AccessReport }> => {
            const result = await run(
                "node",
                scriptArgs("access-report", ["--stack", "proxy", "--format", "json", "--no-cluster"]),
                {
                    cwd: workspace.projectDir,
                    env: workspace.env,
                    check: false,
                },
            );
            if (result.code === 1) throw new Error(`access-report failed:\n${result.stderr}`);
            return { code: result.code, report: JSON.parse(result.stdout) };
        };
        expect(Object.keys(outputs.unlistedSubjects as object)).toEqual(["group:proxied-devs"]);
        const unchanged = await report();
        expect([unchanged.code, unchanged.report.summary.text]).toEqual([0, "No access change."]);

        const withGateway = accessConfig();
        withGateway["kube-access:authenticatingProxy"] = {
            caFile,
            proxies: [{ name: "web-console" }, { name: "api-gateway" }],
        };
        await workspace.configure(cluster.pointStackAt(withGateway).config, {});
        try {
            const changed = await report();
            expect(changed.code).toBe(2);
            expect([changed.report.proxies.added, changed.report.proxies.removed]).toEqual([["api-gateway"], []]);
            expect(changed.report.proxies.escalations.map((e) => e.kind)).toEqual(["authenticating-proxy"]);
            expect(changed.report.subjects).toEqual([]);
        } finally {
            await workspace.configure(cluster.pointStackAt(accessConfig()).config, {});
        }
    });
});
