/**
 * kube-access's own work per user besides validation, timed alone in the
 * bench's process, once and cold, as the program does it: the part of its
 * evaluation that a raw program replaying the same inputs does not do.
 */
import { buildCsrPem } from "../../components/x509/csr";
import type { AccessSpec } from "../../components/model/types";
import type { OwnWorkTimes } from "./cpuShares";
import { kubeconfigInputs, renderKubeconfigs } from "./handWritten";

/**
 * Builds the CSR of every certificate user whose key kube-access makes (keys
 * of the user's `keyAlgorithm`, generated before the clock starts, as the tls
 * provider writes them) and renders every user's kubeconfig with the
 * functions the components use (scripts/bench/handWritten.ts), each part
 * timed on its own.
 */
export function timeOwnWork(spec: AccessSpec, certificatePem: string): OwnWorkTimes {
    const inputs = kubeconfigInputs(spec, certificatePem);
    const keyed = spec.users.filter((user) => inputs.keyOf.has(user.name));
    const seconds = (f: () => void): number => {
        const started = performance.now();
        f();
        return (performance.now() - started) / 1000;
    };
    const csrSeconds = seconds(() => {
        for (const user of keyed)
            buildCsrPem(inputs.keyOf.get(user.name)!, { commonName: user.name, organizations: user.groups });
    });
    const kubeconfigSeconds = seconds(() => renderKubeconfigs(inputs));
    return { csrs: keyed.length, csrSeconds, kubeconfigs: spec.users.length, kubeconfigSeconds };
}
