import { parse } from "yaml";
import { validateAccessSpec } from "../components/access/validate";
import { certificateKubeconfig } from "../components/certificates/kubeconfig";
import { serviceAccountKubeconfig } from "../components/serviceAccounts/kubeconfig";
import { outputsFloor, ownWorkAloneFloor } from "../scripts/bench/cpuShares";
import { timeOwnWork } from "../scripts/bench/ownWork";
import { secretKeys, validConfig } from "./helpers/config";
import { opensslCsr, testCa } from "./helpers/fixtures";
import { mockedKubeAccess, promiseOf } from "./helpers/mocks";

type Users = { name: string; auth: Record<string, unknown> }[];

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

    it("makes no CSR for a user who brought their own, nor for service accounts", () => {
        const config = validConfig();
        const user2 = (config.users as Users).find((u) => u.name === "user2")!;
        delete user2.auth.keyAlgorithm; // the request's key decides it
        user2.auth.certificateRequest = opensslCsr("/CN=user2/O=group1").csrPem;
        expect(timeOwnWork(validateAccessSpec(config, { secretKeys }), testCa().certificatePem)).toMatchObject({
            csrs: 1,
            kubeconfigs: 4,
        });
        config.users = (config.users as Users).filter((u) => u.auth.method === "serviceAccount");
        config.bindings = [{ clusterRole: "view", subjects: [{ user: "sa1" }] }];
        expect(timeOwnWork(validateAccessSpec(config, { secretKeys }), testCa().certificatePem)).toMatchObject({
            csrs: 0,
            kubeconfigs: 1,
        });
    });

    it("renders kubeconfigs with the components' own functions: the program's output is the same text", async () => {
        const { access, resources, ca } = await mockedKubeAccess();
        const kubeconfigs = (await promiseOf(access.kubeconfigs)) as Record<string, string>;
        const spec = validateAccessSpec(validConfig(), { secretKeys });
        const token = resources.find((r) => r.type.endsWith("ServiceAccountToken"))!.inputs.secretName;
        expect(kubeconfigs.sa1).toBe(serviceAccountKubeconfig(spec.cluster, "sa1", "ci", `token-of-${token}`));
        const user1 = parse(kubeconfigs.user1);
        const keyPem = Buffer.from(user1.users[0].user["client-key-data"], "base64").toString();
        expect(kubeconfigs.user1).toBe(certificateKubeconfig(spec.cluster, "user1", ca.certificatePem, keyPem));
    });

    it("the floor adds reading, validation, CSRs and kubeconfigs to the raw program", () => {
        const floor = ownWorkAloneFloor({ programSeconds: 7.84, baselineSeconds: 2.8 }, 0.46, {
            csrSeconds: 0.56,
            kubeconfigSeconds: 0.1,
        });
        expect(floor.ownWorkSeconds).toBeCloseTo(1.12, 10);
        expect(floor.floorSeconds).toBeCloseTo(3.92, 10);
        expect(floor.overBaseline).toBeCloseTo(1.4, 10);
        expect(floor.ratio).toBeCloseTo(2, 10);
    });

    it("the floor with kube-access's outputs starts from the same-state baseline and is judged against the raw one", () => {
        const times = { programSeconds: 6.0, baselineSeconds: 2.8, sameStateSeconds: 3.08 };
        const floor = outputsFloor(times, 1.12);
        expect(floor.outputsAlone).toBeCloseTo(1.1, 10);
        expect(floor.floorSeconds).toBeCloseTo(4.2, 10);
        expect(floor.overBaseline).toBeCloseTo(1.5, 10);
        expect(floor.ratio).toBeCloseTo(6 / 4.2, 10);
        // No own work: the outputs alone.
        expect(outputsFloor(times, 0).overBaseline).toBeCloseTo(1.1, 10);
    });
});
