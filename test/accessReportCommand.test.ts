import { rawConfigFrom } from "../scripts/access-report";
import { validateAccessSpec } from "../components/access/validate";
import { validConfig } from "./helpers/config";

describe("the access report reads a stack's config without its secret values", () => {
    test("kube-access keys only; structured values from objectValue, plain ones parsed; secrets named, not read", () => {
        const { raw, secretKeys } = rawConfigFrom({
            "kube-access:users": { value: '[{"name":"u"}]', objectValue: [{ name: "u" }], secret: false },
            "kube-access:allowSystemMasters": { value: "false", secret: false },
            "kube-access:cluster": { value: '{"name":"c"}', secret: false },
            "kube-access:clusterCaKey": { secret: true },
            "keycloak:password": { secret: true },
            "aws:region": { value: "eu-west-1", secret: false },
        });
        expect(raw).toEqual({ users: [{ name: "u" }], allowSystemMasters: false, cluster: { name: "c" } });
        expect(secretKeys).toEqual(["clusterCaKey"]);
    });

    test("with secret values withheld, an externally signed user needs no CA key to validate", () => {
        const config = validConfig();
        delete config.clusterCaKey;
        expect(() => validateAccessSpec(config, { secretKeys: [] })).toThrow(/clusterCaKey: is required/);
        const spec = validateAccessSpec(config, { secretKeys: ["clusterCaKey"], secretValuesWithheld: true });
        expect(spec.users.map((u) => u.name)).toContain("user1");
    });

    test("a secret key stored in plain text is still refused", () => {
        const config = validConfig();
        expect(() => validateAccessSpec(config, { secretKeys: [], secretValuesWithheld: true })).toThrow(
            /clusterCaKey: holds a secret but is stored in plain text/,
        );
    });
});
