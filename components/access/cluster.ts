/** The `cluster` and `clusterKubeconfig` config keys: the cluster kube-access onboards people to. */
import * as YAML from "yaml";
import { ClusterSpec } from "../model/types";
import { IssueCollector, Raw, describeShape, isPlainObject } from "../intake/reader";
import { normaliseCertificatePem } from "../x509/pem";
import { caCertificateProblem } from "../x509/caCertificate";
import { didYouMean, suggestHttpsUrl } from "../intake/suggest";
import { isHttpsUrl } from "../intake/rules";
import { clusterSchema } from "../intake/schema";
import { readSection } from "../intake/section";

export function readCluster(c: IssueCollector, value: Raw): ClusterSpec | undefined {
    if (value === undefined) {
        c.add("cluster", "is required: an object with name, server and caCertificate");
        return undefined;
    }
    const o = readSection(c, "cluster", value, clusterSchema);
    if (!o) return undefined;
    const { name, server, caCertificate: ca } = o;
    if (server !== undefined && !isHttpsUrl(server)) {
        c.add(
            "cluster.server",
            `must be an https:// URL of the API server, got ${JSON.stringify(server)}${didYouMean(suggestHttpsUrl(server))}`,
        );
    }
    let caCertificatePem: string | undefined;
    if (ca !== undefined) {
        try {
            caCertificatePem = normaliseCertificatePem(ca);
        } catch (e) {
            c.add("cluster.caCertificate", `${(e as Error).message}; paste the cluster CA in PEM or base64 form`);
        }
    }
    const notCa = caCertificatePem === undefined ? undefined : caCertificateProblem(caCertificatePem);
    if (notCa !== undefined) {
        c.add("cluster.caCertificate", notCa);
        caCertificatePem = undefined;
    }
    if (name === undefined || server === undefined || caCertificatePem === undefined) return undefined;
    return { name, server, caCertificatePem };
}

/** Checks `clusterKubeconfig`, whatever form it was set in; never quotes it. */
export function checkClusterKubeconfig(c: IssueCollector, value: Raw): void {
    const kubeconfig = clusterKubeconfigText(value);
    const problem =
        kubeconfig === undefined
            ? `must be a kubeconfig (YAML or JSON text, or an object), got ${describeShape(value)}`
            : kubeconfigProblem(kubeconfig);
    if (problem) c.add("clusterKubeconfig", problem);
}

/**
 * The admin kubeconfig as text. A kubeconfig set as text (YAML or JSON) is
 * used as it is; one set as structured config (`pulumi config set --path`,
 * or JSON that Pulumi hands over parsed) is serialised as JSON, which
 * kubeconfig readers take as well.
 */
export function clusterKubeconfigText(value: Raw): string | undefined {
    if (typeof value === "string") return value;
    if (isPlainObject(value)) return JSON.stringify(value);
    return undefined;
}

/**
 * What keeps a kubeconfig from reaching a cluster: it must parse, list
 * clusters, users and contexts, and name in current-context the context to use.
 * Messages never quote the kubeconfig (it holds credentials).
 */
function kubeconfigProblem(text: string): string | undefined {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        const line = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
        return `is not valid YAML or JSON${line ? ` (line ${line})` : ""}; paste the whole kubeconfig file`;
    }
    if (!isPlainObject(doc)) {
        return `must be a kubeconfig with clusters, users and contexts, got ${describeShape(doc)}`;
    }
    const missing = ["clusters", "users", "contexts"].filter((k) => !Array.isArray(doc[k]) || doc[k].length === 0);
    if (missing.length > 0) {
        return `is not a usable kubeconfig: it has no ${missing.join(", no ")}; use an admin kubeconfig of the cluster`;
    }
    const named = (key: string) =>
        (doc[key] as unknown[]).map((e) => (isPlainObject(e) && typeof e.name === "string" ? e.name : undefined));
    const current = doc["current-context"];
    if (typeof current !== "string" || current === "") {
        return "has no current-context; set it to the context Pulumi should use (kubectl config use-context <name>)";
    }
    if (!named("contexts").includes(current)) {
        return "names a current-context that is not among its contexts; fix current-context";
    }
    return undefined;
}
