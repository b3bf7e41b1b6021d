import { validateAccessSpec } from "../components/access/validate";
import { ownWorkAloneFloor } from "../scripts/bench/cpuShares";
import { timeOwnWork } from "../scripts/bench/ownWork";
import { secretKeys, validConfig } from "./helpers/config";
import { testCa } from "./helpers/fixtures";

describe("kube-access's own work, timed alone for the bench", () => {
    it("builds a CSR for each user whose key kube-access makes and a kubeconfig for every user", () => {
        // user1 (RSA-2048, external signer) and user2 (ECDSA-P256, cluster signer) get keys;
        // sa1 and the OIDC user get kubeconfigs only.
        const spec = validateAccessSpec(validConfig(), { secretKeys });
        const times = timeOwnWork(spec, testCa().certificatePem);
        expect(times.csrs).toBe(2);
        expect(times.kubeconfigs).toBe(4);
        expect(times.csrSeconds).toBeGreaterThan(0);
        expect(times.kubeconfigSeconds).toBeGreaterThan(0);
    });

    it("counts no CSR for a stack of service accounts", () => {
        const config = validConfig();
        config.users = (config.users as { auth: { method: string } }[]).filter(
            (u) => u.auth.method === "serviceAccount",
        );
        config.bindings = [{ clusterRole: "view", subjects: [{ user: "sa1" }] }];
        const times = timeOwnWork(validateAccessSpec(config, { secretKeys }), testCa().certificatePem);
        expect(times).toMatchObject({ csrs: 0, kubeconfigs: 1 });
    });

    it("the floor adds validation, CSRs and kubeconfigs to the raw program", () => {
        const floor = ownWorkAloneFloor(2.8, 0.46, {
            csrs: 400,
            csrSeconds: 0.56,
            kubeconfigs: 1000,
            kubeconfigSeconds: 0.1,
        });
        expect(floor.ownWorkSeconds).toBeCloseTo(1.12, 10);
        expect(floor.floorSeconds).toBeCloseTo(3.92, 10);
        expect(floor.overBaseline).toBeCloseTo(1.4, 10);
    });
});
