import * as crypto from "crypto";
import { toObjectName } from "../model/names";

/**
 * Name of the CertificateSigningRequest object for a cluster-signed user of
 * one stack: `kube-access-<user>-<first 10 hex digits of SHA-256("<project>/<stack>")>`.
 * CSRs are cluster-scoped, so two stacks onboarding the same user name to one
 * cluster get different objects; one stack always uses the same name, so a run
 * removes the object an interrupted run of the same stack left behind.
 * The user part is cut so the name stays a DNS-1123 subdomain (253 characters).
 */
export function csrObjectName(userName: string, stackId: string): string {
    const stackHash = crypto.createHash("sha256").update(stackId).digest("hex").slice(0, 10);
    const user = toObjectName(userName)
        .slice(0, 200)
        .replace(/[^a-z0-9]+$/, "");
    return `kube-access-${user}-${stackHash}`;
}
