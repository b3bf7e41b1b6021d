import * as pulumi from "@pulumi/pulumi";

/*
 * The users output in a preview, where the certificates are still to be made:
 * the mocks answer every resource with its inputs only, so each output a
 * provider computes (a certificate, its expiry) is unknown, as it is in a
 * `pulumi preview` that creates or re-issues credentials.
 */
type Outputs = { [key: string]: unknown };

const known = (o: pulumi.Output<unknown>): Promise<boolean> => (o as unknown as { isKnown: Promise<boolean> }).isKnown;

let usersByName: Record<string, Outputs>;

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        "kube-access",
        "preview",
        true,
    );
    const { testCa } = await import("./helpers/fixtures");
    const { secretKeys, validConfig } = await import("./helpers/config");
    const components = await import("../components");
    const ca = testCa();
    const access = new components.KubeAccess("kube-access", {
        spec: components.validateAccessSpec(validConfig(), { secretKeys }),
        secrets: {
            clusterCaKey: pulumi.secret(ca.privateKeyPem),
            clusterKubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
            oidcInitialPasswords: {},
        },
    });
    usersByName = access.usersByName as Record<string, Outputs>;
});

test("each user's grants, groups and credential settings are plain values, known at preview", () => {
    for (const name of ["user1", "user2", "sa1", "da-admin"]) {
        const user = usersByName[name];
        expect(user.name).toBe(name);
        expect(pulumi.Output.isInstance(user.grants)).toBe(false);
        expect(Array.isArray(user.grants)).toBe(true);
        expect(pulumi.Output.isInstance(user.credential)).toBe(false);
    }
    expect(usersByName.user1.grants).toEqual(expect.arrayContaining([expect.stringContaining("ClusterRole/view")]));
});

test("a certificate user's times are Outputs of their own, unknown until the certificate exists", async () => {
    const user1 = usersByName.user1;
    for (const field of ["expiresAt", "renewsAt", "certificateStatus"]) {
        expect(pulumi.Output.isInstance(user1[field])).toBe(true);
        expect(await known(user1[field] as pulumi.Output<unknown>)).toBe(false);
    }
});
